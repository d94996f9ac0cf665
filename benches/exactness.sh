#!/usr/bin/env bash
# Compares what cargo-readiness says `cargo publish` uploads with what
# `cargo package --no-verify` really writes, crate by crate, on any workspace:
#
#   cargo build --release
#   benches/exactness.sh path/to/workspace/Cargo.toml
#   TOOL_ARGS=--online benches/exactness.sh path/to/workspace/Cargo.toml
#   TOOL_ARGS=--online TOOL_CARGO_HOME=$(mktemp -d) benches/exactness.sh path/to/Cargo.toml
#
# cargo packages each crate as its release publishes it: on its own (`-p NAME`), the way
# `cargo publish -p NAME` resolves the members it depends on from crates.io; where it
# cannot (a member it needs is not on crates.io yet), together with the members the tool's
# lock takes from this release (`-p NAME -p MEMBER…`), as `cargo publish --workspace`
# packages them. Members with `publish = false` are left out.
#
# Prints one line per crate (Cargo.toml identical? Cargo.lock identical? compressed size
# ours/cargo's, whole .crate identical? what the tool claims) and the totals. A false claim
# is a crate the tool calls exact whose checksum is not the SHA-256 of cargo's .crate, or
# whose lock takes from this release a member crates.io already has at that version
# (asked of index.crates.io). cargo runs from a neutral folder and reaches crates.io to
# resolve; the tool runs with TOOL_ARGS and $CARGO_HOME as it is, or TOOL_CARGO_HOME (an
# empty folder: a fresh runner that never ran `cargo fetch`).
set -euo pipefail

manifest=$(realpath "${1:?usage: benches/exactness.sh path/to/Cargo.toml}")
tool=$(realpath "${TOOL:-$(dirname "$0")/../target/release/cargo-readiness}")
scratch=$(mktemp -d)
# KEEP=1 keeps both sides' archives there to compare a difference.
if [ -n "${KEEP:-}" ]; then echo "scratch: $scratch"; else trap 'rm -rf "$scratch"' EXIT; fi

members=$(cd "$scratch" && cargo metadata --no-deps --format-version 1 --manifest-path "$manifest" |
    python3 -c 'import json,sys; print(" ".join(p["name"] + "@" + p["version"] for p in json.load(sys.stdin)["packages"] if p["publish"] != []))')
# shellcheck disable=SC2086
(cd "$scratch" && CARGO_HOME="${TOOL_CARGO_HOME:-${CARGO_HOME:-$HOME/.cargo}}" \
    CARGO_READINESS_CACHE_DIR="$scratch/cache" "$tool" --manifest-path "$manifest" \
    --out "$scratch/site" --emit-crate -q ${TOOL_ARGS:-}) || [ $? -eq 1 ]

entry() { tar xzf "$1" -O --wildcards "*/$2" 2>/dev/null || true; }

# The members the tool's lock of $1 takes from this release (or does not know), as -p flags.
from_release() {
    python3 - "$scratch/site/report.json" "$1" <<'EOF'
import json, sys
report, name = sys.argv[1:]
crate = next(c for c in json.load(open(report))["crates"] if c["name"] == name)
print(" ".join("-p " + m["name"] for m in crate["archive"]["lock_members"] if m["from"] != "registry"))
EOF
}

# "exact <checksum>" or "estimate", and "wrong: …" when a member the lock takes from this
# release is on crates.io at that version.
claim() {
    python3 - "$scratch/site/report.json" "$1" <<'EOF'
import json, sys, urllib.request
report, name = sys.argv[1:]
crate = next(c for c in json.load(open(report))["crates"] if c["name"] == name)
archive = crate["archive"]
words = ["exact " + archive["checksum"][7:] if archive["exact"] else "estimate"]
for member in archive["lock_members"]:
    if member["from"] != "archive":
        continue
    n = member["name"].lower()
    path = {1: "1/" + n, 2: "2/" + n, 3: "3/%s/%s" % (n[0], n)}.get(len(n), "%s/%s/%s" % (n[:2], n[2:4], n))
    try:
        lines = urllib.request.urlopen("https://index.crates.io/" + path, timeout=30).read().decode()
    except Exception:
        continue
    if any(json.loads(l)["vers"] == member["version"] for l in lines.splitlines() if l.strip()):
        words.append("wrong:%s@%s-is-published" % (member["name"], member["version"]))
print(" ".join(words))
EOF
}

# cargo packages into $out, its messages into $out.err.
cargo_package() {
    (cd "$scratch" && CARGO_TARGET_DIR="$out" cargo package --no-verify --allow-dirty -q \
        --manifest-path "$manifest" "$@" 2>"$out.err")
}

mkdir -p "$scratch/cargo"
total=0 unpackaged=0 toml=0 lock=0 locks=0 size=0 whole=0 claims=0 false_claims=0 together=0
printf '%-32s %-9s %-9s %-22s %-8s %s\n' crate Cargo.toml Cargo.lock "size ours/cargo" ".crate" claim
for spec in $members; do
    name=${spec%@*} version=${spec#*@}
    out="$scratch/cargo/$name"
    ours="$scratch/site/crates/$name/$name-$version.crate"
    [ -f "$ours" ] || { printf '%-32s not in the report\n' "$name-$version"; continue; }
    how=alone
    if ! cargo_package -p "$name"; then
        how=together
        # shellcheck disable=SC2046
        cargo_package -p "$name" $(from_release "$name") || {
            # No bytes to compare: an exact claim for a crate cargo cannot package is false.
            unpackaged=$((unpackaged + 1)) c=$(claim "$name")
            case $c in exact*) claims=$((claims + 1)) false_claims=$((false_claims + 1)) c="FALSE $c" ;; esac
            printf '%-32s cargo could not package it (%s): %s\n' "$name-$version" "${c% *}" \
                "$(grep -A1 -m1 'Caused by' "$out.err" | tail -1 | sed 's/^ *//')"
            continue
        }
    fi
    theirs="$out/package/$name-$version.crate"
    total=$((total + 1))
    [ "$how" = together ] && together=$((together + 1))
    t=differs; [ "$(entry "$ours" Cargo.toml)" = "$(entry "$theirs" Cargo.toml)" ] && t=same && toml=$((toml + 1))
    l=-
    if [ -n "$(entry "$theirs" Cargo.lock)" ]; then
        locks=$((locks + 1))
        l=differs; [ "$(entry "$ours" Cargo.lock)" = "$(entry "$theirs" Cargo.lock)" ] && l=same && lock=$((lock + 1))
    fi
    a=$(stat -c %s "$ours") b=$(stat -c %s "$theirs")
    [ $((a * 100)) -le $((b * 101)) ] && [ $((a * 100)) -ge $((b * 99)) ] && size=$((size + 1))
    w=differs; cmp -s "$ours" "$theirs" && w=same && whole=$((whole + 1))
    read -r said checksum wrong <<<"$(claim "$name")"
    c=$said
    if [ "$said" = exact ]; then
        claims=$((claims + 1))
        if [ "$checksum" != "$(sha256sum "$theirs" | cut -d' ' -f1)" ] || [ -n "${wrong:-}" ]; then
            false_claims=$((false_claims + 1)) c="FALSE ${wrong:-}"
        fi
    fi
    printf '%-32s %-9s %-9s %-22s %-8s %s (%s)\n' "$name-$version" "$t" "$l" "$a/$b" "$w" "$c" "$how"
done
echo
echo "crates: $total ($together packaged with members not on crates.io; $unpackaged more cargo could not package);" \
    "Cargo.toml identical: $toml;" \
    "Cargo.lock identical: $lock of $locks; size within 1%: $size; .crate identical: $whole;" \
    "exact claims: $claims, false: $false_claims"
