#!/usr/bin/env bash
# Bad input to the CLI must end with exactly one `error:` line on stderr (or a FAIL line and
# the summary for a state-test file that is not valid JSON) and a non-zero exit: never a
# crash, a trap or a stack trace.
set -uo pipefail
cd "$(dirname "$0")/.."
SHARED=${SHARED:-../shared}
BRAID=${BRAID:-.build/release/braid}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

printf '{not json' >"$tmp/bad.json"
printf '{"env": {}}' >"$tmp/empty-block.json"
printf '{"t": {"env": 5}}' >"$tmp/bad-test.json"
head -c 1000 "$SHARED/bench/blocks/chain.json.gz" >"$tmp/truncated.json.gz"
printf 'not gzip at all' >"$tmp/garbage.json.gz"

passed=0
failed=0
check() { # expected-exit-code description command...
  local want=$1 what=$2
  shift 2
  "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  local errlines
  errlines=$(grep -c . "$tmp/err")
  if [ "$rc" -ne "$want" ] || [ "$errlines" -gt 1 ] || grep -qiE 'fatal error|stack dump|backtrace' "$tmp/err"; then
    echo "FAIL $what: exit $rc (want $want), stderr:"
    sed 's/^/  /' "$tmp/err"
    failed=$((failed + 1))
  else
    passed=$((passed + 1))
  fi
}

check 1 "statetest on a missing path" "$BRAID" statetest /nonexistent/path
check 1 "statetest on malformed JSON" "$BRAID" statetest "$tmp/bad.json"
check 1 "statetest on a malformed test" "$BRAID" statetest "$tmp/bad-test.json"
check 1 "bench on a missing file" "$BRAID" bench execute /nonexistent.json.gz
check 1 "bench on truncated gzip" "$BRAID" bench execute "$tmp/truncated.json.gz"
check 1 "bench on data that is not gzip" "$BRAID" bench execute "$tmp/garbage.json.gz"
check 1 "bench on malformed JSON" "$BRAID" bench execute "$tmp/bad.json"
check 1 "bench on a block without fields" "$BRAID" bench execute "$tmp/empty-block.json"
check 2 "an unknown subcommand" "$BRAID" frobnicate
check 2 "a malformed option" "$BRAID" bench execute "$tmp/bad.json" --runs=-3
check 2 "a block size of zero" "$BRAID" bench execute "$SHARED/bench/blocks/chain.json.gz" --block-size 0
check 1 "bench rpc on a missing file" "$BRAID" bench rpc /nonexistent.json.gz
check 1 "bench rpc with no server listening" "$BRAID" bench rpc --url http://127.0.0.1:1 "$SHARED/bench/blocks/chain.json.gz"
check 2 "bench rpc with a malformed URL" "$BRAID" bench rpc --url https://example "$SHARED/bench/blocks/chain.json.gz"

echo "cli-errors: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
