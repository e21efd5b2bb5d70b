#!/usr/bin/env bash
# Fetches FreeType's source from Debian's source package into
# third_party/freetype (ignored by git, never committed) unless it is there.
#
# Steps, each skipped when already done:
#   1. a deb-src entry, derived from the machine's own apt sources (the
#      URIs, Suites, Components and Signed-By of every `Types: deb` stanza in
#      /etc/apt/sources.list.d/*.sources, or the `deb` lines of the one-line
#      format), written to /etc/apt/sources.list.d/celos-src.sources;
#   2. apt-get update, and dpkg-dev (for dpkg-source) if it is missing;
#   3. `apt-get source freetype` in a temporary folder, whose unpacked tree
#      (freetype-2.12.1 on Debian 12) becomes third_party/freetype.
# Quiet when there is nothing to do. Root only for steps 1 and 2 (sudo when
# not root).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/third_party/freetype"
SRC_LIST=/etc/apt/sources.list.d/celos-src.sources

say() { printf 'fetch_freetype: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# Already fetched: nothing to do, nothing to print.
if [[ -f "$DEST/include/freetype/freetype.h" && -f "$DEST/src/base/ftbase.c" ]]; then
  exit 0
fi

command -v apt-get >/dev/null || die "no apt-get: FreeType's source comes from Debian's source package (Debian 12)"

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || die "need root to add a deb-src entry and run apt-get update; run as root or install sudo"
  SUDO=(sudo)
fi
apt_get() { "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q "$@"; }

# --- 1. deb-src entry -------------------------------------------------------

# Prints deb822 stanzas with `Types: deb-src` for every `Types: deb` stanza
# of the given deb822 files and every `deb` line of the given one-line files,
# keeping URIs, Suites, Components and Signed-By. Disabled stanzas
# (Enabled: no) and comments are skipped.
derive_src_stanzas() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f "$f" && "$f" != "$SRC_LIST" ]] || continue
    awk '
      function flush() {
        if (types ~ /(^|[ \t])deb([ \t]|$)/ && enabled != "no" && uris != "" && suites != "") {
          printf "Types: deb-src\nURIs: %s\nSuites: %s\n", uris, suites
          if (comps != "") printf "Components: %s\n", comps
          if (signed != "") printf "Signed-By: %s\n", signed
          printf "\n"
        }
        types = uris = suites = comps = signed = enabled = ""
      }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      {
        key = $0; sub(/:.*/, "", key); val = $0; sub(/^[^:]*:[ \t]*/, "", val)
        k = tolower(key)
        if (k == "types") types = val
        else if (k == "uris") uris = val
        else if (k == "suites") suites = val
        else if (k == "components") comps = val
        else if (k == "signed-by") signed = val
        else if (k == "enabled") enabled = tolower(val)
      }
      END { flush() }' "$f"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f "$f" ]] || continue
    # deb [options] URI SUITE COMPONENT...
    awk '
      $1 == "deb" {
        i = 2; signed = ""
        if ($i ~ /^\[/) {
          opts = ""
          while (i <= NF) { opts = opts " " $i; if ($i ~ /\]$/) { i++; break } i++ }
          if (match(opts, /signed-by=[^] \t]+/)) signed = substr(opts, RSTART + 10, RLENGTH - 10)
        }
        if (i + 1 > NF) next
        uri = $i; suite = $(i + 1); comps = ""
        for (j = i + 2; j <= NF; j++) comps = comps (comps == "" ? "" : " ") $j
        printf "Types: deb-src\nURIs: %s\nSuites: %s\n", uri, suite
        if (comps != "") printf "Components: %s\n", comps
        if (signed != "") printf "Signed-By: %s\n", signed
        printf "\n"
      }' "$f"
  done
}

# True when apt already knows a source package for freetype.
have_source_index() {
  # (no `| grep -q`: with pipefail, apt-cache's SIGPIPE would fail the test)
  local out
  out="$(apt-cache showsrc freetype 2>/dev/null)" || return 1
  [[ "$out" == *"Package: freetype"* ]]
}

if ! have_source_index; then
  stanzas="$(derive_src_stanzas)"
  [[ -n "$stanzas" ]] || die "found no 'deb' entry in /etc/apt/sources.list or /etc/apt/sources.list.d/ to derive a deb-src entry from"
  wanted="# Added by CelOS tools/fetch_freetype.sh: source packages from the same
# archives as this machine's binary packages (for FreeType's source).
$stanzas"
  if [[ ! -f "$SRC_LIST" ]] || [[ "$(cat "$SRC_LIST")" != "$wanted" ]]; then
    say "adding deb-src entries to $SRC_LIST"
    printf '%s\n' "$wanted" | "${SUDO[@]}" tee "$SRC_LIST" >/dev/null \
      || die "could not write $SRC_LIST"
  fi
  say "apt-get update"
  apt_get update >/dev/null || die "apt-get update failed; check the network and the apt sources ($SRC_LIST)"
  have_source_index || die "apt has no source package 'freetype' even after adding $SRC_LIST"
fi

# --- 2. dpkg-dev (dpkg-source unpacks the package) --------------------------

if ! command -v dpkg-source >/dev/null; then
  say "installing dpkg-dev"
  apt_get install -y --no-install-recommends dpkg-dev >/dev/null || die "could not install dpkg-dev"
fi

# --- 3. apt-get source ------------------------------------------------------

tmp="$(mktemp -d "${TMPDIR:-/tmp}/celos-freetype.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
say "apt-get source freetype"
(cd "$tmp" && apt-get -q source freetype >"$tmp/apt-source.log" 2>&1) || {
  cat "$tmp/apt-source.log" >&2
  die "apt-get source freetype failed (log above)"
}
shopt -s nullglob
trees=("$tmp"/freetype-[0-9]*/)
shopt -u nullglob
[[ ${#trees[@]} -eq 1 ]] || die "expected one unpacked freetype-* folder in $tmp, found ${#trees[@]}"
tree="${trees[0]%/}"
[[ -f "$tree/src/base/ftbase.c" && -f "$tree/include/freetype/freetype.h" ]] \
  || die "$tree does not look like FreeType's source tree"

mkdir -p "$ROOT/third_party"
rm -rf "$DEST"
mv "$tree" "$DEST"
say "FreeType $(basename "$tree" | sed 's/^freetype-//') is in third_party/freetype"
