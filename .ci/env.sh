# Shared settings for the .ci scripts (sourced).
export CARGO_TERM_COLOR=never
# A target dir outside the clone, so repeated runs (and fresh clones) reuse the build.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/switchboard/target}"
export PATH="$HOME/.cargo/bin:$PATH"
# A fresh clone gains nothing from incremental state, and it costs gigabytes of disk.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT
step() { printf '\n==> %s  [%s]\n' "$*" "$(date +%H:%M:%S)"; }
