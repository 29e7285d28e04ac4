#!/usr/bin/env bash
# The web3.py test (tests/python/test_web3.py) against a real `braid serve --dev` on a free
# port. web3 and vyper come from PyPI into .build-py/site (pip --target: no venv package
# needed on Debian, and PEP 668 does not apply), installed only when missing.
#
#   scripts/web3-test.sh            # BRAID=path overrides .build/release/braid
set -euo pipefail
cd "$(dirname "$0")/.."
BRAID=${BRAID:-.build/release/braid}
PY=${PYTHON:-python3}
SITE=.build-py/site
export PYTHONPATH="$PWD/$SITE${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONDONTWRITEBYTECODE=1

[ -x "$BRAID" ] || { echo "error: $BRAID not found; build with: swift build -c release" >&2; exit 1; }
if ! "$PY" -c 'import web3, vyper' 2>/dev/null; then
  echo "installing web3 and vyper into $SITE"
  "$PY" -m pip install --quiet --disable-pip-version-check --no-warn-script-location \
    --target "$SITE" "web3>=7,<8" "vyper==0.4.3"
fi

work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Port 0: the server picks a free port and prints it on its first line. $work is new, so
# the file holds nothing stale when read before the background job has opened it.
"$BRAID" serve --dev --http-host 127.0.0.1 --http-port 0 --block-interval-ms 50 >"$work/out" 2>"$work/err" &
server=$!
url=""
for _ in $(seq 1 100); do
  url=$(grep -o 'http://[0-9.]*:[0-9]*' "$work/out" 2>/dev/null || true)
  [ -n "$url" ] && break
  kill -0 "$server" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$url" ]; then
  echo "error: braid serve did not start" >&2
  cat "$work/err" >&2
  exit 1
fi
echo "web3.py test against $url"
status=0
BRAID_URL=$url "$PY" tests/python/test_web3.py || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- server log (last 30 lines)" >&2
  tail -n 30 "$work/err" >&2
fi
exit "$status"
