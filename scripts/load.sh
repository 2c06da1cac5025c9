#!/usr/bin/env bash
# Load test of `policy serve` on loopback with wrk: POST /v1/decide with one application, then
# with a batch of 100, for DURATION seconds each, 2 threads and 16 connections.
#
#   scripts/load.sh [DURATION]      (default 15; needs wrk: apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-15}
work=$(mktemp -d)
cargo build --release -q -p policy-cli
policy=target/release/policy
pack=policies/suzhou-future-industries
port=18181
"$policy" serve --pack "$pack" --addr "127.0.0.1:$port" 2> "$work/serve.log" &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
sleep 1
one='{"id":"L-1","year":2025,"kind":"tech_transfer","applicant":{"name":"宿州某公司","in_city":true},"seller_in_city":false,"contract_amount":3000000,"paid_amount":"1234567.85"}'
"$policy" gen --pack "$pack" --count 100 --seed 5 --format json --output "$work/batch.json"
for body in one batch; do
    if [ "$body" = one ]; then printf '%s' "$one" > "$work/body.json"; else cp "$work/batch.json" "$work/body.json"; fi
    cat > "$work/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$work/body.json", "rb"); wrk.body = f:read("*a"); f:close()
LUA
    echo "== POST /v1/decide, $body"
    wrk -t2 -c16 -d"${duration}s" --latency -s "$work/post.lua" "http://127.0.0.1:$port/v1/decide" \
        | grep -E "Requests/sec|Latency|50%|90%|99%|Non-2xx|requests in"
done
