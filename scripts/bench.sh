#!/usr/bin/env bash
# End-to-end benchmark: `policy run` on N generated applications, JSONL in and the decisions
# JSON out, whole-process wall time and peak memory, median of RUNS runs.
#
#   scripts/bench.sh [N] [RUNS]        (defaults: 1000000 3)
#
# Needs GNU time (/usr/bin/time). The applications come from `policy gen` (seed 11), so the
# file is the same on every machine; the figures are this machine's.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
runs=${2:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release -q -p policy-cli
policy=target/release/policy
pack=policies/suzhou-future-industries
"$policy" gen --pack "$pack" --count "$n" --seed 11 --output "$work/apps.jsonl"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "input:   $n applications, $(du -h "$work/apps.jsonl" | cut -f1) of JSONL"
for i in $(seq "$runs"); do
    /usr/bin/time -f "%e %M" -o "$work/time.$i" \
        "$policy" run --pack "$pack" --input "$work/apps.jsonl" --format json --output "$work/out.json" --quiet \
        || [ $? -eq 1 ]
    read -r secs kb < "$work/time.$i"
    echo "run $i:   ${secs} s, $((kb / 1024)) MiB peak"
done
sort -n "$work"/time.* | awk -v r="$runs" '{a[NR]=$1; m[NR]=$2} END {printf "median:  %s s wall, %d MiB peak\n", a[int((r+1)/2)], m[int((r+1)/2)]/1024}'
