#!/usr/bin/env bash
# Compares what cargo-readiness says `cargo publish` uploads with what
# `cargo package --no-verify` really writes, crate by crate, on any workspace:
#
#   cargo build --release
#   benches/exactness.sh path/to/workspace/Cargo.toml
#
# Prints one line per crate (Cargo.toml identical? Cargo.lock identical? compressed size
# ours/cargo's, whole .crate identical?) and the totals. cargo runs from a neutral
# folder and may reach crates.io to resolve the lock files of registry dependencies.
set -euo pipefail

manifest=$(realpath "${1:?usage: benches/exactness.sh path/to/Cargo.toml}")
tool=$(realpath "${TOOL:-$(dirname "$0")/../target/release/cargo-readiness}")
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# Members with `publish = false` are left out, as `cargo publish --workspace` leaves them.
excluded=$(cd "$scratch" && cargo metadata --no-deps --format-version 1 --manifest-path "$manifest" |
    python3 -c 'import json,sys; print(" ".join("--exclude " + p["name"] for p in json.load(sys.stdin)["packages"] if p["publish"] == []))')
# shellcheck disable=SC2086
(cd "$scratch" && CARGO_TARGET_DIR="$scratch/cargo" cargo package --no-verify --allow-dirty \
    --workspace $excluded -q --manifest-path "$manifest" 2>"$scratch/cargo.err") || {
    echo "cargo package failed:" >&2
    tail -5 "$scratch/cargo.err" >&2
    exit 1
}
(cd "$scratch" && CARGO_READINESS_CACHE_DIR="$scratch/cache" "$tool" --manifest-path "$manifest" \
    --out "$scratch/site" --emit-crate -q) || [ $? -eq 1 ]

entry() { tar xzf "$1" -O --wildcards "*/$2" 2>/dev/null || true; }

total=0 toml=0 lock=0 locks=0 size=0 whole=0
printf '%-32s %-9s %-9s %-22s %s\n' crate Cargo.toml Cargo.lock "size ours/cargo" ".crate"
for theirs in "$scratch"/cargo/package/*.crate; do
    file=$(basename "$theirs")
    ours=$(find "$scratch/site/crates" -name "$file" | head -1)
    [ -n "$ours" ] || { printf '%-32s not in the report\n' "$file"; continue; }
    total=$((total + 1))
    t=differs; [ "$(entry "$ours" Cargo.toml)" = "$(entry "$theirs" Cargo.toml)" ] && t=same && toml=$((toml + 1))
    l=-
    if [ -n "$(entry "$theirs" Cargo.lock)" ]; then
        locks=$((locks + 1))
        l=differs; [ "$(entry "$ours" Cargo.lock)" = "$(entry "$theirs" Cargo.lock)" ] && l=same && lock=$((lock + 1))
    fi
    a=$(stat -c %s "$ours") b=$(stat -c %s "$theirs")
    [ $((a * 100)) -le $((b * 101)) ] && [ $((a * 100)) -ge $((b * 99)) ] && size=$((size + 1))
    w=differs; cmp -s "$ours" "$theirs" && w=same && whole=$((whole + 1))
    printf '%-32s %-9s %-9s %-22s %s\n' "${file%.crate}" "$t" "$l" "$a/$b" "$w"
done
echo
echo "crates: $total; Cargo.toml identical: $toml; Cargo.lock identical: $lock of $locks;" \
    "size within 1%: $size; .crate identical: $whole"
