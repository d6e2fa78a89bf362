#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages Switchboard needs to build, run and test.
# Idempotent: packages already present are skipped, so a warm machine pays ~1 s.
set -euo pipefail
PKGS=(
  # build: WebKitGTK (pulls GTK, libsoup, dbus dev), OpenSSL for SQLCipher
  libwebkit2gtk-4.1-dev libssl-dev pkg-config build-essential file
  # tray and menus
  libayatana-appindicator3-dev librsvg2-dev libxdo-dev
  # run and test headless: X server, WebDriver, Secret Service, deep-link registration
  xvfb xauth x11-utils webkit2gtk-driver gnome-keyring dbus dbus-x11 xdg-utils desktop-file-utils
  # screenshots and the plain sqlite3 used by the "unreadable without the key" tests
  imagemagick sqlite3 procps
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
