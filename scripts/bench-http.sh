#!/usr/bin/env bash
# eth_chainId requests per second over keep-alive connections: Braid with one event loop
# against nginx with one worker returning a static JSON body of the same size, measured in
# the same run with the same wrk settings (`wrk -t1 -c64`). Rounds alternate between the
# two servers so that drift on a shared machine affects both.
#
#   scripts/bench-http.sh                  # 3 rounds of 10 s each
#   ROUNDS=5 DURATION=20s scripts/bench-http.sh
#
# Needs wrk and nginx (Debian: apt-get install -y wrk nginx) and a release build
# (swift build -c release --product braid; BRAID=path overrides the binary). Loopback only.
set -euo pipefail

BRAID=${BRAID:-.build/release/braid}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
BRAID_PORT=${BRAID_PORT:-18545}
NGINX_PORT=${NGINX_PORT:-18546}

for tool in wrk nginx curl; do
  command -v "$tool" >/dev/null || { echo "error: $tool is not installed" >&2; exit 1; }
done
[ -x "$BRAID" ] || { echo "error: $BRAID not found; build with: swift build -c release --product braid" >&2; exit 1; }

work=$(mktemp -d)
braid_pid=""
nginx_pid=""
cleanup() {
  [ -n "$braid_pid" ] && kill "$braid_pid" 2>/dev/null || true
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

request='{"jsonrpc":"2.0","method":"eth_chainId","params":[],"id":1}'
response='{"jsonrpc":"2.0","id":1,"result":"0x539"}'

cat >"$work/post.lua" <<EOF
wrk.method = "POST"
wrk.body = '$request'
wrk.headers["Content-Type"] = "application/json"
EOF

mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / {
      default_type application/json;
      return 200 '$response';
    }
  }
}
EOF

"$BRAID" serve --http-host 127.0.0.1 --http-port "$BRAID_PORT" --http-threads 1 >"$work/braid.log" 2>&1 &
braid_pid=$!
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" &
nginx_pid=$!

for port in "$BRAID_PORT" "$NGINX_PORT"; do
  for _ in $(seq 1 100); do
    curl -s -o /dev/null "http://127.0.0.1:$port/" -X POST -H 'Content-Type: application/json' -d "$request" && break
    sleep 0.1
  done
done
for port in "$BRAID_PORT" "$NGINX_PORT"; do
  got=$(curl -s "http://127.0.0.1:$port/" -X POST -H 'Content-Type: application/json' -d "$request")
  [ "$got" = "$response" ] || { echo "error: port $port answered '$got'" >&2; exit 1; }
done

rps() {
  wrk -t1 -c"$CONNECTIONS" -d"$DURATION" -s "$work/post.lua" "http://127.0.0.1:$1/" | tee -a "$work/wrk.log" |
    awk '/Requests\/sec/ { print $2 }'
}

# The ratio is taken per round (the two runs are back to back) and its median reported:
# other load on a shared machine then moves both numbers of a round together.
braid_runs=()
nginx_runs=()
ratios=()
for round in $(seq 1 "$ROUNDS"); do
  b=$(rps "$BRAID_PORT")
  n=$(rps "$NGINX_PORT")
  r=$(awk -v b="$b" -v n="$n" 'BEGIN { printf "%.3f", b / n }')
  braid_runs+=("$b")
  nginx_runs+=("$n")
  ratios+=("$r")
  echo "round $round: braid $b req/s, nginx $n req/s, ratio $r"
done

median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
b=$(median "${braid_runs[@]}")
n=$(median "${nginx_runs[@]}")
ratio=$(median "${ratios[@]}")
echo "medians over $ROUNDS rounds of $DURATION, wrk -t1 -c$CONNECTIONS: braid $b req/s, nginx $n req/s, ratio $ratio"
printf '{"braid_rps":%s,"nginx_rps":%s,"ratio":%s,"rounds":%s,"duration":"%s","connections":%s}\n' \
  "$b" "$n" "$ratio" "$ROUNDS" "$DURATION" "$CONNECTIONS"
