#!/usr/bin/env bash
# Packs the release binary built for TARGET into dist/ under the names the action,
# cargo-binstall ([package.metadata.binstall] in Cargo.toml) and taiki-e/install-action
# download: cargo-readiness-TARGET.tar.gz (.zip for Windows), a folder of that name holding
# the binary and README.md, and beside it the archive's SHA-256 (`sha256sum` format).
#   .github/scripts/package.sh x86_64-unknown-linux-gnu
# Reads $CARGO_TARGET_DIR/TARGET/release/ (default target/), writes only $DIST (default
# dist/); tests/workflows.rs runs it on a stand-in binary.
set -euo pipefail
target="$1"
cd "$(dirname "$0")/../.."
name="cargo-readiness-$target"
exe=cargo-readiness
case "$target" in *windows*) exe=cargo-readiness.exe ;; esac
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
target_dir="${CARGO_TARGET_DIR:-target}"
dist="${DIST:-dist}"
mkdir -p "$stage/$name" "$dist"
cp "$target_dir/$target/release/$exe" README.md "$stage/$name/"
case "$target" in
  *windows*)
    archive="$name.zip"
    (cd "$stage" && 7z a -tzip -bso0 "$archive" "$name")
    ;;
  *)
    archive="$name.tar.gz"
    tar -C "$stage" -czf "$stage/$archive" "$name"
    ;;
esac
mv "$stage/$archive" "$dist/"
cd "$dist"
if command -v sha256sum > /dev/null; then
  sha256sum "$archive" > "$archive.sha256"
else
  shasum -a 256 "$archive" > "$archive.sha256"
fi
cat "$archive.sha256"
