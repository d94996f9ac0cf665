#!/usr/bin/env bash
# The build check (`--build`) against `cargo package --workspace` (which builds each packaged
# crate to verify it) on the same workspace: by default a generated one of six crates over
# dependencies this repository already uses (serde, serde_json, regex, toml, memchr, so they
# are in cargo's cache and both run offline), or any workspace given. Cold: empty target
# folders and cache. Warm: run again with nothing changed. Changed: run again after a line is
# added to one crate's source (CHANGE, a file of the workspace; the generated workspace's
# `scan/src/lib.rs`, which `app` depends on), as after a commit.
#
# RUNS times (default 1) each, ours and cargo's in turn; each figure is the median.
#
#   cargo build --release
#   RUNS=5 benches/build.sh [path/to/Cargo.toml]
#   CHANGE=tokio-util/src/lib.rs benches/build.sh path/to/tokio/Cargo.toml
set -euo pipefail

tool=$(realpath "${TOOL:-$(dirname "$0")/../target/release/cargo-readiness}")
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

if [ $# -ge 1 ]; then
    manifest=$(realpath "$1")
else
    ws=$scratch/ws
    mkdir -p "$ws"
    printf '[workspace]\nmembers = ["model", "text", "config", "scan", "report", "app"]\nresolver = "2"\n' >"$ws/Cargo.toml"
    # Each crate also carries a module of ITEMS documented structs with derives and methods
    # (about 8 lines each), so that compiling a crate itself weighs as a real member does.
    items=${ITEMS:-200}
    crate() { # name, dependencies, source
        mkdir -p "$ws/$1/src"
        printf '[package]\nname = "%s"\nversion = "0.1.0"\nedition = "2021"\ndescription = "bench"\nlicense = "MIT"\n\n[dependencies]\n%b' "$1" "$2" >"$ws/$1/Cargo.toml"
        printf '%b\npub mod items;\n' "$3" >"$ws/$1/src/lib.rs"
        for i in $(seq "$items"); do
            printf '/// Item %d.\n#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]\npub struct Item%d { pub id: u64, pub name: String, pub tags: Vec<String> }\n' "$i" "$i"
            printf 'impl Item%d {\n    /// Its weight.\n    pub fn weight(&self) -> usize { self.name.len() + self.tags.iter().map(String::len).sum::<usize>() + self.id as usize }\n}\n' "$i"
        done >"$ws/$1/src/items.rs"
    }
    crate model 'serde = { version = "1", features = ["derive"] }\nserde_json = "1"\n' \
        '#[derive(serde::Serialize, serde::Deserialize)]\npub struct Item { pub name: String }\npub fn json(i: &Item) -> String { serde_json::to_string(i).unwrap() }\n'
    crate text 'regex = "1"\n' 'pub fn words(s: &str) -> usize { regex::Regex::new(r"\\w+").unwrap().find_iter(s).count() }\n'
    crate config 'toml = "0.9"\nserde = { version = "1", features = ["derive"] }\n' \
        '#[derive(serde::Deserialize)]\npub struct Config { pub name: String }\npub fn parse(s: &str) -> Config { toml::from_str(s).unwrap() }\n'
    crate scan 'memchr = "2"\n' 'pub fn lines(b: &[u8]) -> usize { memchr::memchr_iter(b'"'"'\\n'"'"', b).count() }\n'
    crate report 'model = { path = "../model", version = "0.1.0" }\ntext = { path = "../text", version = "0.1.0" }\n' \
        'pub fn summary(i: &model::Item) -> usize { text::words(&model::json(i)) }\n'
    crate app 'report = { path = "../report", version = "0.1.0" }\nconfig = { path = "../config", version = "0.1.0" }\nscan = { path = "../scan", version = "0.1.0" }\n' \
        'pub fn run(s: &str) -> usize { scan::lines(s.as_bytes()) + config::parse(s).name.len() }\n'
    (cd "$ws" && git init -q && git add -A && git -c user.name=b -c user.email=b@b commit -qm bench)
    # A lock, resolved offline from cargo's cache, as a real workspace commits one.
    (cd "$scratch" && cargo generate-lockfile --offline -q --manifest-path "$ws/Cargo.toml")
    (cd "$ws" && git add -A && git -c user.name=b -c user.email=b@b commit -qm lock)
    manifest=$ws/Cargo.toml
    CHANGE=${CHANGE:-scan/src/lib.rs}
fi
runs=${RUNS:-1}
change() { [ -n "${CHANGE:-}" ] && printf '\npub fn changed_%s() {}\n' "$1" >>"$(dirname "$manifest")/$CHANGE"; }

seconds() { local start; start=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; printf '%.2f' "$(echo "$(date +%s.%N) - $start" | bc)"; }

ours() { (cd "$scratch" && "$tool" --manifest-path "$manifest" --out "$scratch/site" --cache-dir "$scratch/cache" --build -q); }
cargos() { (cd "$scratch" && CARGO_TARGET_DIR="$scratch/cargo-target" cargo package --workspace --allow-dirty --offline -q --manifest-path "$manifest"); }

declare -A times
for run in $(seq "$runs"); do
    rm -rf "$scratch/cache" "$scratch/cargo-target" "$scratch/site"
    times[cold_ours]+=" $(seconds ours)"; times[warm_ours]+=" $(seconds ours)"
    times[cold_cargo]+=" $(seconds cargos)"; times[warm_cargo]+=" $(seconds cargos)"
    if change "$run"; then
        times[changed_ours]+=" $(seconds ours)"; times[changed_cargo]+=" $(seconds cargos)"
    fi
done
median() { # the median of the figures in times[$1], or -
    local sorted
    read -ra sorted <<<"$(tr ' ' '\n' <<<"${times[$1]:-}" | sed '/^$/d' | sort -n | tr '\n' ' ')"
    [ ${#sorted[@]} -eq 0 ] && echo - && return
    echo "${sorted[$(((${#sorted[@]} - 1) / 2))]}"
}
row() { printf '%-34s %8s %8s %8s\n' "$@"; }
ratio() { [ "$2" = - ] && echo - || printf '%.2fx' "$(echo "$1 / $2" | bc -l)"; }
s() { [ "$1" = - ] && echo - || echo "$1s"; }
for figure in cold warm changed; do
    declare "${figure}_ours=$(median "${figure}_ours")" "${figure}_cargo=$(median "${figure}_cargo")"
done
echo "medians of $runs run(s)"
row "" cold warm changed
row "cargo readiness --build" "$(s "$cold_ours")" "$(s "$warm_ours")" "$(s "$changed_ours")"
row "cargo package --workspace" "$(s "$cold_cargo")" "$(s "$warm_cargo")" "$(s "$changed_cargo")"
row "cargo / ours" "$(ratio "$cold_cargo" "$cold_ours")" "$(ratio "$warm_cargo" "$warm_ours")" \
    "$(ratio "$changed_cargo" "$changed_ours")"
