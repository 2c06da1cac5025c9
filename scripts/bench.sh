#!/usr/bin/env bash
# End-to-end benchmark: `policy run` on N generated applications, JSONL in and the decisions
# JSON out, whole-process wall time and peak memory, side by side with the same rules
# hard-coded in plain Rust (tests/examples/hardcoded.rs: serde_json, rust_decimal, rayon), run
# alternately on the same file; medians of RUNS runs each.
#
#   scripts/bench.sh [N] [RUNS] [INPUT]    (defaults: 1000000 5, a file from `policy gen`)
#
# INPUT, when given, is used instead of a generated file (e.g. the shared workload,
# `python3 gen.py 1000000 11 --format jsonl w.jsonl`). BEFORE, when set to another build of
# `policy` (e.g. of the previous commit), runs it alternately too and checks its output is the
# same bytes: the measure of a change that must not cost speed. Needs GNU time (/usr/bin/time). The
# figures are this machine's; on a busy machine they vary by a third or more, so run it quiet.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
runs=${2:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release -q -p policy-cli
cargo build --release -q -p policy-tests --example hardcoded
policy=target/release/policy
hardcoded=target/release/examples/hardcoded
pack=policies/suzhou-future-industries
if [ -n "${3:-}" ]; then
    input=$3
else
    input=$work/apps.jsonl
    "$policy" gen --pack "$pack" --count "$n" --seed 11 --output "$input"
fi
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "input:   $(wc -l < "$input") applications, $(du -h "$input" | cut -f1) of JSONL"

# One timed run: "<wall s> <peak KiB>" appended to $1
timed() {
    local log=$1
    shift
    /usr/bin/time -f "%e %M" -a -o "$log" "$@" || [ $? -eq 1 ]
}
for i in $(seq "$runs"); do
    # Each writes a fresh file, so neither pays for deleting the other's output.
    rm -f "$work"/out.*.json
    timed "$work/policy.times" "$policy" run --pack "$pack" --input "$input" \
        --format json --output "$work/out.policy.json" --quiet
    timed "$work/hardcoded.times" "$hardcoded" "$input" "$work/out.hardcoded.json"
    line="run $i:   policy $(tail -1 "$work/policy.times" | cut -d' ' -f1) s, hard-coded $(tail -1 "$work/hardcoded.times" | cut -d' ' -f1) s"
    if [ -n "${BEFORE:-}" ]; then
        timed "$work/before.times" "$BEFORE" run --pack "$pack" --input "$input" \
            --format json --output "$work/out.before.json" --quiet
        cmp -s "$work/out.policy.json" "$work/out.before.json" \
            || { echo "BEFORE gives different output" >&2; exit 1; }
        line="$line, before $(tail -1 "$work/before.times" | cut -d' ' -f1) s"
    fi
    echo "$line"
done
median() {
    sort -n "$1" | awk -v r="$runs" '{a[NR]=$1; m[NR]=$2} END {printf "%s %d", a[int((r+1)/2)], m[int((r+1)/2)]/1024}'
}
read -r pw pm <<< "$(median "$work/policy.times")"
read -r hw hm <<< "$(median "$work/hardcoded.times")"
echo "policy:     median ${pw} s wall, ${pm} MiB peak"
echo "hard-coded: median ${hw} s wall, ${hm} MiB peak"
awk -v p="$pw" -v h="$hw" 'BEGIN {printf "ratio:      %.2f (policy / hard-coded)\n", p / h}'
if [ -n "${BEFORE:-}" ]; then
    read -r bw bm <<< "$(median "$work/before.times")"
    echo "before:     median ${bw} s wall, ${bm} MiB peak (same output)"
    awk -v p="$pw" -v b="$bw" 'BEGIN {printf "change:     %.2f (policy / before)\n", p / b}'
fi
