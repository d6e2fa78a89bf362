#!/usr/bin/env bash
# Start-to-first-paint and idle RSS of two apps under the current X display, side by side.
#   startup.sh APP_BIN "window title" FLOOR_BIN "window title"
# First paint = the app's window shows non-uniform pixels (content, not a blank surface).
set -uo pipefail
RUNS=${RUNS:-5}
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
tree_rss_kb() { # RSS of a process and all its descendants
  local pids=("$1") all=() p kids
  while [ ${#pids[@]} -gt 0 ]; do
    p=${pids[0]}; pids=("${pids[@]:1}"); all+=("$p")
    kids=$(pgrep -P "$p" || true); for k in $kids; do pids+=("$k"); done
  done
  ps -o rss= -p "$(IFS=,; echo "${all[*]}")" | awk '{s+=$1} END {print s+0}'
}
measure() { # bin title -> "paint_ms rss_kb"
  local bin=$1 title=$2 t0 id pid paint=-1 sd
  t0=$(now_ms)
  "$bin" >/dev/null 2>&1 & pid=$!
  for _ in $(seq 1 3000); do
    id=$(xwininfo -root -tree 2>/dev/null | grep -F "\"$title\"" | head -1 | awk '{print $1}')
    if [ -n "$id" ]; then
      sd=$(import -window "$id" -colorspace gray -format '%[fx:standard_deviation]' info: 2>/dev/null || echo 0)
      if awk -v s="$sd" 'BEGIN {exit !(s > 0.02)}'; then paint=$(( $(now_ms) - t0 )); break; fi
    fi
    sleep 0.01
  done
  sleep 5
  local rss; rss=$(tree_rss_kb "$pid")
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  echo "$paint $rss"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
report() { # bin title -> prints a line; sets P (ms) and R (KiB)
  local bin=$1 title=$2 paints=() rsss=() r
  measure "$bin" "$title" >/dev/null # warm-up: first launch creates the vault, fills caches
  for _ in $(seq 1 "$RUNS"); do r=$(measure "$bin" "$title"); paints+=("${r% *}"); rsss+=("${r#* }"); done
  P=$(printf '%s\n' "${paints[@]}" | median); R=$(printf '%s\n' "${rsss[@]}" | median)
  printf '%-14s first paint median %5d ms (all: %s)   idle RSS (app + WebKit processes) median %7.1f MiB\n' \
    "$title" "$P" "${paints[*]}" "$(awk -v r="$R" 'BEGIN {print r/1024}')"
}
report "$1" "$2"; PA=$P; RA=$R
report "$3" "$4"; PB=$P; RB=$R
awk -v pa="$PA" -v pb="$PB" -v ra="$RA" -v rb="$RB" 'BEGIN {printf "ratios vs blank Tauri 2: first paint %.2fx, idle RSS %.2fx\n", pa/pb, ra/rb}'
