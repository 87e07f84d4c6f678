#!/usr/bin/env bash
# The README's install as written, and the package for jump hosts, proved on a fresh clone:
#  1. a plain `npm install` (no ELECTRON_SKIP_BINARY_DOWNLOAD) succeeds, also where Electron's
#     binary cannot be downloaded;
#  2. `npm pack` gives a tarball that `npm install -g` installs into an empty prefix, where
#     `tenancy --help`, `tenancy demo` (until Ctrl-C, exit 130) and `tenancy serve` (until Ctrl-C, exit 130) work.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work=$(mktemp -d /tmp/tenancy-install-proof-XXXXXX)
chmod 755 "$work" # as root the embedded server runs as the postgres user, which must reach it
cleanup() { pkill -INT -f "$work/prefix/bin/tenancy" 2>/dev/null || true; rm -rf "$work"; }
[ -n "${KEEP_PROOF:-}" ] || trap cleanup EXIT

git clone -q "$repo" "$work/clone"
cd "$work/clone"
( unset ELECTRON_SKIP_BINARY_DOWNLOAD; npm install --no-audit --no-fund > "$work/install.log" 2>&1 ) || { tail -30 "$work/install.log"; echo "install-proof: plain npm install FAILED"; exit 1; }
grep -E "^tenancy-console: " "$work/install.log" || true
echo "install-proof: plain npm install in a fresh clone: ok"

npm pack --silent --pack-destination "$work" > /dev/null
npm install -g --prefix "$work/prefix" "$work"/tenancy-console-*.tgz --no-audit --no-fund > "$work/global.log" 2>&1 || { tail -30 "$work/global.log"; echo "install-proof: npm install -g of the packed tarball FAILED"; exit 1; }
export PATH="$work/prefix/bin:$PATH"
cd "$work"
tenancy --help > /dev/null
installed="$work/prefix/lib/node_modules/tenancy-console"
[ -f "$installed/dist/renderer/index.html" ] || { echo "install-proof: the renderer is missing from the package"; exit 1; }

tenancy demo --rows 150 > "$work/demo.log" 2> "$work/demo.err" &
demo=$!
for _ in $(seq 1 180); do grep -q '^ready: ' "$work/demo.log" && break; kill -0 $demo 2>/dev/null || break; sleep 1; done
grep -q '^ready: ' "$work/demo.log" || { cat "$work/demo.err"; echo "install-proof: tenancy demo did not get ready"; exit 1; }
check=$(grep -m1 '^  tenancy check ' "$work/demo.log")
set +e; sh -c "$check" > /dev/null 2>&1; code=$?; set -e
[ "$code" = 1 ] || { echo "install-proof: the demo's printed check command exited $code (expected 1: planted findings)"; exit 1; }
kill -INT $demo; set +e; wait $demo; code=$?; set -e
[ "$code" = 130 ] || { echo "install-proof: tenancy demo exited $code after Ctrl-C (expected 130)"; exit 1; }

tenancy serve > "$work/serve.log" 2>&1 &
serve=$!
for _ in $(seq 1 60); do grep -q 'Press Ctrl-C' "$work/serve.log" && break; kill -0 $serve 2>/dev/null || break; sleep 1; done
grep -q 'http://127.0.0.1:' "$work/serve.log" || { cat "$work/serve.log"; echo "install-proof: tenancy serve printed no URL"; exit 1; }
kill -INT $serve; set +e; wait $serve; code=$?; set -e
[ "$code" = 130 ] || { echo "install-proof: tenancy serve exited $code after Ctrl-C (expected 130)"; exit 1; }
echo "install-proof: packed global install (help, demo, a printed check, serve): ok"
