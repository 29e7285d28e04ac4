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

source scripts/lib/serve.sh
work=$(mktemp -d)
trap 'stop_braid; rm -rf "$work"' EXIT

start_braid "$work/out" "$work/err" --dev --block-interval-ms 50
echo "web3.py test against $url"
status=0
BRAID_URL=$url "$PY" tests/python/test_web3.py || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- server log (last 30 lines)" >&2
  tail -n 30 "$work/err" >&2
fi
exit "$status"
