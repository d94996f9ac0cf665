#!/usr/bin/env bash
# What `--online` costs on a real workspace: a cold run (empty cache), a warm re-run (the
# index files still fresh), and the same workspace offline, each the median of RUNS runs,
# with the requests each sent (from -vv). It asks crates.io (or the registry cargo's
# config points at): run it where the network is.
#
#   cargo build --release
#   benches/online.sh path/to/Cargo.toml [RUNS]
set -euo pipefail

manifest=$(realpath "${1:?usage: benches/online.sh path/to/Cargo.toml [RUNS]}")
runs=${2:-5}
tool=$(realpath "${TOOL:-$(dirname "$0")/../target/release/cargo-readiness}")
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# Runs the tool once; prints "<seconds> <requests>".
once() {
    local cache=$1; shift
    local start end
    start=$(date +%s.%N)
    (cd "$scratch" && "$tool" --manifest-path "$manifest" --out "$scratch/site" \
        --cache-dir "$cache" -vv "$@" >"$scratch/out" 2>&1) || [ $? -eq 1 ]
    end=$(date +%s.%N)
    local requests
    requests=$(grep -o '([0-9]* requests)' "$scratch/out" | tr -dc '0-9\n' | paste -sd+ | bc)
    echo "$(echo "$end - $start" | bc) ${requests:-0}"
}

median() { sort -n | awk '{ a[NR] = $0 } END { print a[int((NR + 1) / 2)] }'; }

# measure LABEL CACHE cold|warm ARGS...: a cold run starts from an empty CACHE.
measure() {
    local label=$1 cache=$scratch/$2 fresh=$3; shift 3
    local times=() requests=0 line
    for _ in $(seq "$runs"); do
        if [ "$fresh" = cold ]; then rm -rf "$cache"; fi
        line=$(once "$cache" "$@")
        times+=("${line% *}")
        requests=${line#* }
    done
    printf '%-28s %8.3f s  %4s requests\n' "$label" "$(printf '%s\n' "${times[@]}" | median)" "$requests"
}

measure "offline, cold" offline cold
measure "--online, cold" online cold --online
measure "--online, warm" online warm --online
measure "offline, warm" offline warm
