#!/usr/bin/env bash
# System packages the browser tests need, from Debian's archive: Chromium (driven by Playwright
# through /usr/bin/chromium; the tests never download a browser) and a Java runtime (for the Nu
# HTML Checker, vnu.jar from npm). Idempotent and instant when both are there. Installing needs
# root (CI runs as root); there is no sudo.
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
[ ${#missing[@]} -eq 0 ] && exit 0

fail() {
  echo "install-system-deps: error: $*" >&2
  echo "install-system-deps: the browser tests need /usr/bin/chromium and java; install them with" >&2
  echo "    apt-get install --no-install-recommends chromium default-jre-headless" >&2
  echo "  (as root), or run scripts/install-system-deps.sh as root, then run make test again." >&2
  exit 1
}

if [ "$(id -u)" -ne 0 ]; then
  fail "missing ${missing[*]}, and installing them needs root (this user is $(id -un))"
fi
command -v apt-get >/dev/null 2>&1 || fail "missing ${missing[*]}, and there is no apt-get on this machine"

echo "install-system-deps: installing ${missing[*]} with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
# Slim Debian images leave out /usr/share/man; the JRE's postinst then fails to link java.1.gz.
mkdir -p /usr/share/man/man1
apt-get update -qq -o Acquire::Retries=3 || fail "apt-get update failed"
apt-get install -y -qq --no-install-recommends -o Acquire::Retries=3 "${missing[@]}" \
  || fail "apt-get install ${missing[*]} failed"

[ -x /usr/bin/chromium ] || fail "/usr/bin/chromium is still missing after apt-get install"
command -v java >/dev/null 2>&1 || fail "java is still missing after apt-get install"
echo "install-system-deps: installed ${missing[*]}" >&2
