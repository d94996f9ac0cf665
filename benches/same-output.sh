#!/usr/bin/env bash
# Behaviour unchanged? Runs two builds of cargo-readiness on the same workspaces and
# compares their outputs byte for byte: every file of the site (report.json, summary.md,
# pages, cards, --emit-crate archives) and the terminal's verdict lines.
#
#   git worktree add /tmp/before <rev> && (cd /tmp/before && cargo build --release)
#   cargo build --release
#   benches/same-output.sh /tmp/before/target/release/cargo-readiness \
#       target/release/cargo-readiness examples/demo/Cargo.toml path/to/other/Cargo.toml …
#
# ARGS adds flags to both runs (ARGS='--baseline HEAD~20', ARGS=--online).
# Each binary gets a cold cache folder of its own, and each workspace runs from a neutral
# folder. Prints one line per workspace (identical, or the files that differ) and exits
# 1 when any output differs.
set -euo pipefail
# shellcheck disable=SC2086

before=$(realpath "${1:?usage: benches/same-output.sh BEFORE AFTER MANIFEST...}")
after=$(realpath "${2:?usage: benches/same-output.sh BEFORE AFTER MANIFEST...}")
shift 2
[ $# -gt 0 ] || { echo "usage: benches/same-output.sh BEFORE AFTER MANIFEST..." >&2; exit 2; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

status=0
for manifest in "$@"; do
    manifest=$(realpath "$manifest")
    for side in before after; do
        tool=${!side}
        # Exit 1 (a crate blocked) is a report like any other.
        (cd "$scratch" && CARGO_READINESS_CACHE_DIR="$scratch/$side-cache" "$tool" \
            --manifest-path "$manifest" --out "$scratch/$side" --emit-crate --color never ${ARGS:-} \
            >"$scratch/$side.stdout" 2>"$scratch/$side.stderr") || [ $? -eq 1 ]
        # The last line names the output folder, which differs by design.
        sed -i '$d' "$scratch/$side.stdout"
    done
    files=$(find "$scratch/after" -type f | wc -l)
    if diff -r -q "$scratch/before" "$scratch/after" >"$scratch/diff" &&
        cmp -s "$scratch/before.stdout" "$scratch/after.stdout"; then
        echo "identical  $files files  $manifest"
    else
        status=1
        echo "DIFFERENT  $manifest"
        sed 's/^/    /' "$scratch/diff"
        cmp -s "$scratch/before.stdout" "$scratch/after.stdout" || echo "    terminal output differs"
    fi
    rm -rf "$scratch/before" "$scratch/after" "$scratch"/*-cache
done
exit $status
