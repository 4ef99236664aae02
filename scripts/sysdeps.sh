#!/usr/bin/env bash
# Make sure the Debian packages ecourt needs are present; install them with apt-get when we are
# root, otherwise say exactly what is missing. Usage: sysdeps.sh [gettext] [fonts] [chromium] [node]
set -euo pipefail
wanted=("$@")
[ ${#wanted[@]} -eq 0 ] && wanted=(gettext fonts chromium)

missing=()
for item in "${wanted[@]}"; do
  case "$item" in
    gettext) command -v msgfmt >/dev/null 2>&1 || missing+=(gettext) ;;
    fonts) fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing+=(fonts-noto-cjk) ;;
    chromium) [ -x /usr/bin/chromium ] || missing+=(chromium) ;;
    node) command -v npm >/dev/null 2>&1 || missing+=(nodejs npm) ;;
    *) echo "sysdeps.sh: unknown item $item" >&2; exit 2 ;;
  esac
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" fontconfig >/dev/null
  exit 0
fi
echo "Missing system packages: ${missing[*]}" >&2
echo "Install them with: sudo apt-get install ${missing[*]}" >&2
exit 1
