#!/usr/bin/env bash
# System packages the tests need, from Debian's archive:
# - the browser tests: Chromium (driven by Playwright through /usr/bin/chromium; the tests never
#   download a browser) and a Java runtime (for the Nu HTML Checker, vnu.jar from npm);
# - tests/test_consumers.py, which hands citehub's exports to the programs that read them:
#   LaTeX and BibTeX (texlive-latex-base, with texlive-binaries, for latex, pdflatex, bibtex,
#   kpsewhich, and natbib's plainnat.bst and url.sty), biber with biblatex
#   (texlive-bibtex-extra; biblatex needs etoolbox.sty, from texlive-latex-recommended) and
#   xmllint (libxml2-utils) for the sitemap's XML Schema.
# Idempotent and instant when everything is there: it checks for the programs and files, not
# for the packages. Installing needs root (CI runs as root); there is no sudo.
set -euo pipefail

missing=()
need() {  # need PACKAGE: add it to the list once
  local package
  for package in "${missing[@]}"; do [ "$package" = "$1" ] && return 0; done
  missing+=("$1")
}
# A file TeX finds (kpsewhich is texlive-binaries'; without it, nothing TeX is there).
tex_has() { command -v kpsewhich >/dev/null 2>&1 && [ -n "$(kpsewhich "$1" 2>/dev/null)" ]; }

[ -x /usr/bin/chromium ] || need chromium
command -v java >/dev/null 2>&1 || need default-jre-headless
for program in latex pdflatex; do command -v "$program" >/dev/null 2>&1 || need texlive-latex-base; done
for program in bibtex kpsewhich; do command -v "$program" >/dev/null 2>&1 || need texlive-binaries; done
for file in plainnat.bst natbib.sty url.sty; do tex_has "$file" || need texlive-latex-base; done
command -v biber >/dev/null 2>&1 || need biber
tex_has biblatex.sty || need texlive-bibtex-extra
tex_has etoolbox.sty || need texlive-latex-recommended
command -v xmllint >/dev/null 2>&1 || need libxml2-utils
[ ${#missing[@]} -eq 0 ] && exit 0

fail() {
  echo "install-system-deps: error: $*" >&2
  echo "install-system-deps: the tests need /usr/bin/chromium, java, latex, pdflatex, bibtex, biber" >&2
  echo "  with biblatex, and xmllint; install them with" >&2
  echo "    apt-get install --no-install-recommends ${missing[*]}" >&2
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

still=()
[ -x /usr/bin/chromium ] || still+=(/usr/bin/chromium)
for program in java latex pdflatex bibtex kpsewhich biber xmllint; do
  command -v "$program" >/dev/null 2>&1 || still+=("$program")
done
for file in plainnat.bst natbib.sty url.sty biblatex.sty etoolbox.sty; do
  tex_has "$file" || still+=("$file")
done
[ ${#still[@]} -eq 0 ] || fail "${still[*]} still missing after apt-get install ${missing[*]}"
echo "install-system-deps: installed ${missing[*]}" >&2
