#!/usr/bin/env bash
# How fast a report is, next to listing each publishable crate with cargo, on any workspace:
#
#   cold  an empty cache folder (--cache-dir) and a fresh --out
#   warm  the same command again, cache and site kept, nothing changed
#   loop  `cargo package --list -p NAME --allow-dirty` for each publishable member
#
# Each figure is the median of RUNS rounds (default 3), a round being cold, warm, loop in
# turn, so that a machine whose speed drifts weighs on all three alike. Wall seconds are
# what the ratios use; CPU seconds (user + system, children included) are printed too, as
# a busy machine stretches wall time more than CPU time.
#
# With BASE=path/to/another/cargo-readiness, that build also runs cold (and warm) each
# round, and the script checks that both builds write byte-identical sites (`diff -r`),
# cold and warm: a speed-up must not change a byte.
#
#   cargo build --release
#   benches/speed.sh path/to/Cargo.toml
#   BASE=/tmp/cargo-readiness-before RUNS=5 benches/speed.sh path/to/wasmtime/Cargo.toml
set -euo pipefail

manifest=$(realpath "${1:?usage: benches/speed.sh path/to/Cargo.toml}")
tool=$(realpath "${TOOL:-$(dirname "$0")/../target/release/cargo-readiness}")
base=${BASE:+$(realpath "$BASE")}
runs=${RUNS:-3}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/neutral"

# Members with `publish = false` are left out, as `cargo publish --workspace` leaves them.
(cd "$scratch/neutral" && cargo metadata --no-deps --format-version 1 --manifest-path "$manifest") |
    python3 -c 'import json,sys; print("\n".join(p["name"] for p in json.load(sys.stdin)["packages"] if p["publish"] != []))' \
        >"$scratch/publishable"
echo "$(wc -l <"$scratch/publishable") publishable crates"

# timed LABEL COMMAND...: runs COMMAND from a neutral folder; appends "wall cpu" to LABEL's file.
timed() {
    local label=$1 out
    shift
    out=$( (
        cd "$scratch/neutral"
        TIMEFORMAT='%R %U %S'
        { time "$@" >/dev/null 2>&1; } 2>&1
    ) | tail -1)
    read -r wall user system <<<"$out"
    awk -v w="$wall" -v u="$user" -v s="$system" 'BEGIN { printf "%.3f %.3f\n", w, u + s }' \
        >>"$scratch/$label"
}

report() { # BINARY NAME: cold then warm, in $scratch/NAME-{cache,site}
    local binary=$1 name=$2
    rm -rf "$scratch/$name-cache" "$scratch/$name-site" "$scratch/$name-cold"
    timed "$name cold" "$binary" --manifest-path "$manifest" --cache-dir "$scratch/$name-cache" \
        --out "$scratch/$name-site" -q || true
    cp -a "$scratch/$name-site" "$scratch/$name-cold"
    timed "$name warm" "$binary" --manifest-path "$manifest" --cache-dir "$scratch/$name-cache" \
        --out "$scratch/$name-site" -q || true
}

listing() {
    while read -r name; do
        cargo package --list -p "$name" --allow-dirty --manifest-path "$manifest" >/dev/null
    done <"$scratch/publishable"
}

same=yes
for _ in $(seq "$runs"); do
    report "$tool" ours
    diff -r "$scratch/ours-cold" "$scratch/ours-site" >/dev/null || { same=no; echo "warm site differs from cold"; }
    if [ -n "$base" ]; then
        report "$base" base
        for site in cold site; do
            diff -r "$scratch/base-$site" "$scratch/ours-$site" >/dev/null ||
                { same=no; echo "$site: the sites of $base and $tool differ"; }
        done
    fi
    timed loop listing
done

median() { # COLUMN LABEL: the median of that column of LABEL's figures
    sort -n -k"$1" "$scratch/$2" | awk -v c="$1" '{ v[NR] = $c } END { print v[int((NR + 1) / 2)] }'
}
row() { printf '%-28s %9s %9s\n' "$@"; }
echo "medians of $runs round(s)"
row "" "wall s" "cpu s"
labels=("ours cold" "ours warm")
[ -n "$base" ] && labels+=("base cold" "base warm")
labels+=(loop)
for label in "${labels[@]}"; do
    row "$label" "$(median 1 "$label")" "$(median 2 "$label")"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
percent() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", 100 * a / b }'; }
cold=$(median 1 "ours cold") warm=$(median 1 "ours warm") loop=$(median 1 loop)
echo "loop / cold: $(ratio "$loop" "$cold")x    warm / cold: $(percent "$warm" "$cold")%"
if [ -n "$base" ]; then
    bcold=$(median 1 "base cold") bwarm=$(median 1 "base warm")
    echo "base: loop / cold: $(ratio "$loop" "$bcold")x    warm / cold: $(percent "$bwarm" "$bcold")%"
    echo "byte-identical sites (cold and warm, every round): $same"
fi
[ "$same" = yes ]
