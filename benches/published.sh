#!/usr/bin/env bash
# False blockers on crates crates.io accepted: runs cargo-readiness over every crate
# unpacked in this machine's cargo registry cache, each copied to a temporary folder as a
# workspace of its own (not a git repository, so cargo's walk mode selects its files; its
# Cargo.toml is the normalized one cargo published), and counts the crates with a blocker.
#
#   cargo fetch && cargo build --release
#   benches/published.sh                  # TOOL=path/to/cargo-readiness to compare builds
#
# Before the run, each copy loses what cargo wrote into the published archive or the
# registry beside the sources (Cargo.toml.orig, .cargo_vcs_info.json, .cargo-ok): packaging
# the copy writes them again, and cargo refuses source files of those names.
#
# Prints one line per crate with a blocker (the check ids, then each message), then the
# number of crates blocked by each check. Archive checks (the files, their contents, the
# sizes) must never block a crate crates.io accepted; metadata checks may, where crates.io
# tightened a rule after the crate was published. Exit status 0 unless the tool itself
# failed to produce a report (2) for some crate.
set -euo pipefail

tool=$(realpath "${TOOL:-$(dirname "$0")/../target/release/cargo-readiness}")
registry=${REGISTRY:-${CARGO_HOME:-$HOME/.cargo}/registry/src}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

total=0 blocked=0 failed=0
: >"$scratch/blockers.tsv"
for crate in "$registry"/*/*/; do
    [ -f "$crate/Cargo.toml" ] || continue
    name=$(basename "$crate")
    total=$((total + 1))
    rm -rf "$scratch/ws" "$scratch/site"
    cp -a "$crate" "$scratch/ws"
    rm -f "$scratch/ws/Cargo.toml.orig" "$scratch/ws/.cargo_vcs_info.json" "$scratch/ws/.cargo-ok"
    status=0
    (cd "$scratch" && CARGO_READINESS_CACHE_DIR="$scratch/cache" CARGO_TARGET_DIR="$scratch/target" \
        "$tool" --manifest-path ws/Cargo.toml --out site -q >/dev/null 2>"$scratch/err") || status=$?
    if [ "$status" -ge 2 ] || [ ! -f "$scratch/site/report.json" ]; then
        failed=$((failed + 1))
        printf '%s: no report (exit %s): %s\n' "$name" "$status" "$(head -c 300 "$scratch/err")"
        continue
    fi
    python3 - "$scratch/site/report.json" "$name" "$scratch/blockers.tsv" <<'EOF' || blocked=$((blocked + 1))
import json, sys
report, name, tsv = sys.argv[1:]
failing = [
    (check["id"], check["message"])
    for crate in json.load(open(report))["crates"]
    for check in crate["checks"]
    if check["status"] == "fail" and check["severity"] == "blocker"
]
if failing:
    print(f"{name}: {', '.join(sorted({id for id, _ in failing}))}")
    for id, message in failing:
        print(f"    {id}: {message[:400]}")
    with open(tsv, "a") as out:
        for id in sorted({id for id, _ in failing}):
            out.write(f"{id}\t{name}\n")
    sys.exit(1)
EOF
done

echo
echo "crates: $total; with a blocker: $blocked; no report: $failed"
echo "crates blocked, by check:"
cut -f1 "$scratch/blockers.tsv" | sort | uniq -c | sort -rn
[ "$failed" -eq 0 ]
