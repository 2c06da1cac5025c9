#!/usr/bin/env bash
# Soak of `policy serve` (issue 14): MINUTES of bounded load (four clients, 1 to 50 applications
# a request) with, beside it, idle connections and slow clients (a header a byte every 200 ms,
# a body that stops half way), the pack edited every 3 s (one save in three in two writes),
# and a kill -9 and a restart half way. At the end:
#   - every decision the clients were answered is in the decision log, in whole lines, with the
#     same outcome, and no decision id repeats (tests/examples/soak.rs check);
#   - `policy replay` reproduces every logged decision, each part of the log with the version
#     of the pack it was decided with (and no third version was ever served: no half-written
#     save);
#   - the server's peak RSS (VmHWM, each of the two processes) stays under SOAK_MAX_RSS_MB.
#
#   scripts/soak.sh [MINUTES]   (default 10; SOAK_SECONDS overrides; SOAK_PROFILE=release for a
#                                release build, default debug; SOAK_MAX_RSS_MB default 512)
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-10}
seconds=${SOAK_SECONDS:-$((minutes * 60))}
profile=${SOAK_PROFILE:-debug}
max_rss_mb=${SOAK_MAX_RSS_MB:-512}
flag=()
if [ "$profile" = release ]; then flag=(--release); fi
export CARGO_INCREMENTAL=0
cargo build "${flag[@]}" -q -p policy-cli
cargo build "${flag[@]}" -q -p policy-tests --example soak
work=$(mktemp -d)
# Copies: a build during the soak must not change the binary the restart runs.
mkdir "$work/bin"
cp "target/$profile/policy" "target/$profile/examples/soak" "$work/bin/"
policy=$work/bin/policy
soak=$work/bin/soak
port=${SOAK_PORT:-18282}
server=""
reloads=""
cleanup() {
    [ -n "$reloads" ] && kill "$reloads" 2>/dev/null || true
    [ -n "$server" ] && kill "$server" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# Two versions of the pack: a (as shipped) and b (the first prize raised); the served copy is
# switched between them.
cp -r policies/suzhou-future-industries "$work/pack-a"
cp -r policies/suzhou-future-industries "$work/pack-b"
sed -i 's/^    value: 50000$/    value: 55000/' "$work/pack-b/clauses/competition-award.yaml"
cp -r "$work/pack-a" "$work/pack"
file=$work/pack/clauses/competition-award.yaml
log=$work/decisions.log
"$policy" gen --pack "$work/pack-a" --count 2000 --seed 11 --format json --output "$work/apps.json"

fingerprint() {
    "$policy" run --pack "$1" --input "$work/one.json" --format json \
        | grep -o '"fingerprint": *"sha256:[0-9a-f]*"' | head -1 | grep -o 'sha256:[0-9a-f]*'
}
printf '%s' '[{"id":"F","year":2025,"kind":"competition_award","applicant":{"name":"x","in_city":true},"prize":"first"}]' > "$work/one.json"
fa=$(fingerprint "$work/pack-a")
fb=$(fingerprint "$work/pack-b")

start() {
    "$policy" serve --pack "$work/pack" --addr "127.0.0.1:$port" --decision-log "$log" \
        --read-timeout-ms 2000 --max-connections 64 2>> "$work/serve.err" &
    server=$!
    until (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null; do sleep 0.2; done
}
peak_kb() { awk '/^VmHWM/ { print $2 }' "/proc/$1/status"; }

edit() {
    local i=0 from
    while :; do
        sleep 3
        i=$((i + 1))
        if [ $((i % 2)) = 1 ]; then from=b; else from=a; fi
        if [ $((i % 3)) = 0 ]; then
            # An editor that saves in two writes, 200 ms apart.
            head -c 120 "$work/pack-$from/clauses/competition-award.yaml" > "$file"
            sleep 0.2
            cat "$work/pack-$from/clauses/competition-award.yaml" > "$file"
        else
            cp "$work/pack-$from/clauses/competition-award.yaml" "$work/pack/clauses/.next"
            mv "$work/pack/clauses/.next" "$file"
        fi
    done
}

echo "soak: ${seconds} s, $profile build, pack versions $fa and $fb"
start
first=$server
"$soak" load "127.0.0.1:$port" "$seconds" "$work/apps.json" "$work/answered.tsv" > "$work/load.out" &
load=$!
edit &
reloads=$!
sleep $((seconds / 2))
peak1=$(peak_kb "$first")
kill -9 "$first"
wait "$first" 2> /dev/null || true
echo "soak: killed the server (-9) after $((seconds / 2)) s; restarting"
sleep 1
start
second=$server
wait "$load"
peak2=$(peak_kb "$second")
kill "$reloads"
reloads=""
kill "$second"
wait "$second" 2> /dev/null || true
server=""

cat "$work/load.out"
grep -E "torn|refused|changed while" "$work/serve.err" | sort | uniq -c | sed 's/^/soak: server said: /' | head -5 || true
echo "soak: $(grep -c reloaded "$work/serve.err") reloads"
ok=0
"$soak" check "$log" "$work/answered.tsv" || ok=1
total=$(wc -l < "$log")
grep -F "\"fingerprint\":\"$fa\"" "$log" > "$work/log-a" || true
grep -F "\"fingerprint\":\"$fb\"" "$log" > "$work/log-b" || true
parts=$(($(wc -l < "$work/log-a") + $(wc -l < "$work/log-b")))
if [ "$parts" != "$total" ]; then
    echo "soak: $((total - parts)) logged decisions were made under neither version of the pack"
    ok=1
fi
for v in a b; do
    echo "soak: replay of the decisions made with pack $v:"
    if [ -x /usr/bin/time ]; then
        # Replay reads the log a line at a time: its memory does not grow with the log.
        /usr/bin/time -f "%M" -o "$work/rss-$v" "$policy" replay "$work/log-$v" --pack "$work/pack-$v" | tail -2 || ok=1
        echo "soak: replay peak RSS $(($(cat "$work/rss-$v") / 1024)) MiB for a log of $(($(wc -c < "$work/log-$v") / 1048576)) MiB"
    else
        "$policy" replay "$work/log-$v" --pack "$work/pack-$v" | tail -2 || ok=1
    fi
done
echo "soak: peak RSS of the server: $((peak1 / 1024)) MiB before the kill, $((peak2 / 1024)) MiB after the restart (bound ${max_rss_mb} MiB)"
if [ $((peak1 / 1024)) -gt "$max_rss_mb" ] || [ $((peak2 / 1024)) -gt "$max_rss_mb" ]; then ok=1; fi
if [ "$ok" = 0 ]; then echo "soak: OK"; else echo "soak: FAILED"; fi
exit "$ok"
