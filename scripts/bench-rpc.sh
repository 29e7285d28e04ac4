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
# Server settings for the bench (each also a BRAID_* variable of braid serve), chosen for a
# small machine where admission (signature recovery, eight at a time with AVX-512 where the
# CPU has it) and the sequencer share two cores:
#   INTERVAL_MS (block interval while transactions are pending, default 50) and MAX_TXS (a
#   block at once when this many are pending, default 1000). Blocks of at most 1000 every
#   50 ms keep the wait after the last submission short: with the old 200 ms / 10,000 the
#   last few thousand transactions waited for the next tick and were then executed while
#   the other core idled; a sequencer-style deployment makes blocks this often anyway.
#   EXEC_THREADS (Block-STM workers, 0 sequential; default 0 here, the server's own default
#   is one per usable core): with both cores already busy admitting, Block-STM's extra
#   threads gain nothing end to end on this 2-core machine (three runs each, batch recovery
#   in: 28.3-30.0k executed/s sequential, 28.2-31.2k on 2 workers; MAX_TXS=2000 and
#   INTERVAL_MS=20 also gave 27.5-32.5k), and 0 keeps the figures comparable with earlier
#   runs; pass EXEC_THREADS= to use the server's default.
#   DATA_DIR=1 runs the server persistent, on a fresh data directory per run (journal
#   fsync before each answer, one LMDB commit per block), instead of in memory.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${SHARED:-../shared}
BRAID=${BRAID:-.build/release/braid}
BLOCK=${BLOCK:-erc20-10000}
CONNECTIONS=${CONNECTIONS:-4}
BATCH=${BATCH:-250}
INTERVAL_MS=${INTERVAL_MS:-50}
MAX_TXS=${MAX_TXS:-1000}
RUNS=${RUNS:-1}
EXEC_THREADS=${EXEC_THREADS-0}
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
