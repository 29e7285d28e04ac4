#!/usr/bin/env bash
# `braid bench rpc` end to end: starts `braid serve` with a benchmark block as genesis on a
# free port, replays the block's signed transactions over JSON-RPC, prints the bench's JSON
# line, stops the server. A fresh server per run, because a replay against a chain that
# already holds the block is refused (nonce too low).
#
#   scripts/bench-rpc.sh                                 # erc20-10000, defaults below
#   BLOCK=transfers-10000 CONNECTIONS=8 BATCH=500 scripts/bench-rpc.sh
#   RUNS=3 scripts/bench-rpc.sh                          # one line per run
#
# Server settings for the bench (each also a BRAID_* variable of braid serve):
#   INTERVAL_MS (block interval while transactions are pending, default 200) and MAX_TXS
#   (a block at once when this many are pending, default 10000: the whole block),
#   EXEC_THREADS (Block-STM workers, 0 sequential; default: the server's, one per core), and
#   DATA_DIR=1 to run the server persistent, on a fresh data directory per run (journal
#   fsync before each answer, one LMDB commit per block), instead of in memory.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${SHARED:-../shared}
BRAID=${BRAID:-.build/release/braid}
BLOCK=${BLOCK:-erc20-10000}
CONNECTIONS=${CONNECTIONS:-4}
BATCH=${BATCH:-250}
INTERVAL_MS=${INTERVAL_MS:-200}
MAX_TXS=${MAX_TXS:-10000}
RUNS=${RUNS:-1}
EXEC_THREADS=${EXEC_THREADS:-}
DATA_DIR=${DATA_DIR:-}

file=$SHARED/bench/blocks/$BLOCK.json.gz
[ -f "$file" ] || file=$BLOCK
[ -f "$file" ] || { echo "error: no block $BLOCK (looked in $SHARED/bench/blocks)" >&2; exit 1; }
[ -x "$BRAID" ] || { echo "error: $BRAID not found; build with: swift build -c release" >&2; exit 1; }

source scripts/lib/serve.sh
work=$(mktemp -d)
trap 'stop_braid; rm -rf "$work"' EXIT

status=0
for run in $(seq 1 "$RUNS"); do
  # A new file per run: the background job opens its redirection later than this shell
  # reads, so a reused file could still show the previous server's address.
  out=$work/out.$run
  err=$work/err.$run
  extra=()
  [ -n "$EXEC_THREADS" ] && extra+=(--exec-threads "$EXEC_THREADS")
  if [ -n "$DATA_DIR" ] && [ "$DATA_DIR" != 0 ]; then extra+=(--data-dir "$work/data.$run"); fi
  start_braid "$out" "$err" --genesis "$file" \
    --block-interval-ms "$INTERVAL_MS" --block-max-txs "$MAX_TXS" "${extra[@]}"
  if ! "$BRAID" bench rpc --url "$url" --connections "$CONNECTIONS" --batch "$BATCH" "$file"; then
    status=1
    echo "--- server log (last 20 lines)" >&2
    tail -n 20 "$err" >&2
  fi
  stop_braid
  rm -rf "$work/data.$run"
done
exit "$status"
