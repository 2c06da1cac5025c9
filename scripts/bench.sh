#!/usr/bin/env bash
# End-to-end benchmark: `policy run` against the lean baseline (the eight Suzhou clauses
# hard-coded in plain Rust, kept outside this project), on the same JSONL file, the decisions
# JSON written to a file; whole process under GNU time: wall, CPU (user+sys) and peak memory.
# The programs run alternately, RUNS times each; then the medians and the ratios.
#
#   scripts/bench.sh [N] [RUNS] [INPUT]    (defaults: 1000000 5; N and RUNS also from the env)
#
# INPUT: a JSONL file to use; without it, `gen.py N 11` of the shared benchmark (GEN_PY,
#        default ../shared/bench/gen.py), or `policy gen --count N --seed 11` without Python or gen.py.
# NATIVE_SRC: the baseline's source (default ../shared/bench/native, from the repo root); it is
#        copied to TMPDIR and built there with its own target dir, never in the repo.
# NATIVE_BIN: a built `policy-native` instead.
# OUT_DIR: where each run writes its output, a fresh file per run (default a new temp dir);
#        the last run's outputs stay there.
# BEFORE: another build of `policy` (e.g. of the previous commit), run alternately too; its
#        output must be the same bytes as this build's (the plain run's, with SETTLED).
# SETTLED=1: instead of the baseline, the settled run: `policy gen --repeat-applicants 50`
#        (half the applicants hold several awards), run with the Suzhou settlement scenario
#        against the same run without it.
# The figures are this machine's and move by a third or more when it is busy: read the ratios.
set -euo pipefail
n=${1:-${N:-1000000}}
runs=${2:-${RUNS:-5}}
input=${3:-${INPUT:-}}
# Paths given are from where the script was called; NATIVE_SRC and GEN_PY from the repo root.
for v in input OUT_DIR BEFORE NATIVE_BIN; do
    if [ -n "${!v:-}" ]; then declare "$v=$(realpath -m "${!v}")"; fi
done
cd "$(dirname "$0")/.."
pack=policies/suzhou-future-industries
scenario=$pack/scenarios/yearly-cap-300wan-platforms-highest.yaml
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release -q -p policy-cli
policy=target/release/policy

if [ -n "${SETTLED:-}" ]; then
    contenders=(settled plain)
    base=plain
    if [ -z "$input" ]; then
        input=$work/settled.jsonl
        "$policy" gen --pack "$pack" --count "$n" --seed 11 --repeat-applicants 50 --output "$input"
    fi
else
    contenders=(policy native)
    base=policy
    native=${NATIVE_BIN:-}
    if [ -z "$native" ]; then
        src=${NATIVE_SRC:-../shared/bench/native}
        [ -f "$src/Cargo.toml" ] || { echo "no baseline at $src: set NATIVE_SRC or NATIVE_BIN" >&2; exit 2; }
        build=${TMPDIR:-/tmp}/policy-bench-native
        # A copy of the source, renewed when it changed; cargo rebuilds only what changed.
        if ! diff -rq -x target "$src" "$build" >/dev/null 2>&1; then
            rm -rf "$build" && cp -r "$src" "$build" && chmod -R u+w "$build"
        fi
        (cd "$build" && CARGO_TARGET_DIR=$build/target cargo build --release -q)
        native=$build/target/release/policy-native
    fi
    gen=${GEN_PY:-../shared/bench/gen.py}
    if [ -z "$input" ]; then
        input=$work/apps.jsonl
        if [ -f "$gen" ] && command -v python3 >/dev/null; then
            python3 "$gen" "$n" 11 --format jsonl "$input"
        else
            "$policy" gen --pack "$pack" --count "$n" --seed 11 --output "$input"
        fi
    fi
fi
if [ -n "${BEFORE:-}" ]; then contenders+=(before); fi
out_dir=${OUT_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/policy-bench.XXXXXX")}
mkdir -p "$out_dir"

# The command of contender $1 writing to $2, in the array `cmd`
command_of() {
    local run=(run --pack "$pack" --input "$input" --format json --output "$2" --quiet)
    case $1 in
        policy | plain) cmd=("$policy" "${run[@]}") ;;
        settled) cmd=("$policy" "${run[@]}" --scenario "$scenario") ;;
        before) cmd=("$BEFORE" "${run[@]}") ;;
        native) cmd=("$native" "$input" -o "$2" --quiet) ;;
    esac
}

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "input:   $input: $(wc -l < "$input") applications, $(du -h "$input" | cut -f1)"
echo "outputs: $out_dir"
for i in $(seq "$runs"); do
    line="run $i:"
    for c in "${contenders[@]}"; do
        # A fresh file each run, so no run pays for deleting another's output.
        rm -f "$out_dir/$c".*.json
        command_of "$c" "$out_dir/$c.$i.json"
        # policy exits 1 when some applications have errors: still a full run
        /usr/bin/time -f '%e %U %S %M' -o "$work/time" "${cmd[@]}" || [ $? -eq 1 ]
        # wall, CPU (user+sys), peak MiB
        tail -1 "$work/time" | awk '{printf "%.2f %.2f %.0f\n", $1, $2 + $3, $4 / 1024}' >> "$work/$c.times"
        read -r w cpu mib < <(tail -1 "$work/$c.times")
        line="$line  $c $w s, $cpu s CPU, $mib MiB;"
    done
    if [ -n "${BEFORE:-}" ]; then
        cmp -s "$out_dir/$base.$i.json" "$out_dir/before.$i.json" \
            || { echo "BEFORE gives different output" >&2; exit 1; }
    fi
    echo "$line"
done

# Median of column $2 of contender $1's runs
median() { cut -d' ' -f"$2" "$work/$1.times" | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
for c in "${contenders[@]}"; do
    printf 'median %-8s %s s wall, %s s CPU, %s MiB peak\n' "$c:" "$(median "$c" 1)" "$(median "$c" 2)" "$(median "$c" 3)"
done
ratio() {
    awk -v a="$(median "$1" 1)" -v b="$(median "$2" 1)" -v c="$(median "$1" 2)" -v d="$(median "$2" 2)" \
        -v name="$1 / $2" 'BEGIN {printf "ratio %s: %s wall, %s CPU\n", name, b ? sprintf("%.2f", a / b) : "-", d ? sprintf("%.2f", c / d) : "-"}'
}
ratio "${contenders[0]}" "${contenders[1]}"
if [ -n "${BEFORE:-}" ]; then
    ratio "$base" before
fi
echo "outputs: $out_dir (the last run's; remove it when done)"
