#!/usr/bin/env bash
# Conformance check: unpacks the GeneralStateTests fixtures into a temporary folder, runs
# `braid statetest` over the dev set and then the optional set, then verifies two benchmark
# blocks end to end. Exits non-zero on the first failing step.
# Usage: scripts/statetests.sh [--dev-only]   (SHARED, BRAID override the defaults)
set -euo pipefail

cd "$(dirname "$0")/.."
SHARED=${SHARED:-../shared}
BRAID=${BRAID:-.build/release/braid}
fixtures="$SHARED/fixtures/ethereum-tests"
if [ ! -d "$fixtures" ]; then
  echo "error: $fixtures not found: the shared folder must sit beside the repository (or set SHARED=...)" >&2
  exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mkdir "$tmp/dev"
tar xzf "$fixtures/GeneralStateTests-dev.tar.gz" -C "$tmp/dev"
echo "== statetest: dev set"
"$BRAID" statetest "$tmp/dev/GeneralStateTests"

if [ "${1:-}" = "--dev-only" ]; then exit 0; fi

mkdir "$tmp/optional"
tar xzf "$fixtures/GeneralStateTests-optional.tar.gz" -C "$tmp/optional"
echo "== statetest: optional set"
"$BRAID" statetest "$tmp/optional/GeneralStateTests"

echo "== bench: verify two blocks"
# Three runs each, so that the printed times are medians rather than one cold run (whose
# first use of fresh memory and threads put the state root of erc20-10000 anywhere from 7
# to 12% of execution).
"$BRAID" bench execute --runs 3 "$SHARED/bench/blocks/erc20-10000.json.gz" "$SHARED/bench/blocks/transfers-10000.json.gz"
# Split as the node's sequencer splits it (blocks of at most 1000), sequential and on Block-STM.
"$BRAID" bench execute --runs 3 --block-size 1000 --threads 0,2 "$SHARED/bench/blocks/erc20-10000.json.gz"
