# Sourced by the scripts that need a live `braid serve`: starts one in the background on a
# free port and waits for the address it prints. Port 0 makes the server pick the port, so
# parallel runs never collide; the caller passes fresh OUT/ERR files, since the background
# job opens its redirections later than this shell may first read them.
#
#   start_braid OUT ERR serve-arguments...   sets $server (pid) and $url, or exits 1
#   stop_braid                               kills and reaps $server, if any

server=""
url=""

start_braid() {
  local out=$1 err=$2
  shift 2
  "$BRAID" serve --http-host 127.0.0.1 --http-port 0 "$@" >"$out" 2>"$err" &
  server=$!
  url=""
  for _ in $(seq 1 300); do
    url=$(grep -o 'http://[0-9.]*:[0-9]*' "$out" 2>/dev/null || true)
    [ -n "$url" ] && return 0
    kill -0 "$server" 2>/dev/null || break
    sleep 0.1
  done
  echo "error: braid serve did not start" >&2
  cat "$err" >&2
  exit 1
}

stop_braid() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  server=""
}
