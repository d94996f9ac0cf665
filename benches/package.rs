//! The package stage against cargo, side by side on the same workspace.
//!
//!     cargo bench --bench package                       # a generated workspace of 60 crates
//!     cargo bench --bench package -- --crates 120
//!     cargo bench --bench package -- --workspace PATH   # a real workspace (a git checkout)
//!
//! Prints wall-clock times and ratios for: listing every crate's files (ours, all crates,
//! in parallel) against `cargo package --list -p NAME` run once per crate; the whole package
//! stage (lists, sizes, fingerprints) against `cargo package --no-verify --workspace`; and a
//! re-run whose sizes come from the cache.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use cargo_readiness::base::cache::BlobStore;
use cargo_readiness::package::lockfile::{Resolution, ResolutionMemo};
use cargo_readiness::package::{self, ArchiveCache, CachedArchive};
use cargo_readiness::workspace::Workspace;
use rayon::prelude::*;

#[derive(Default)]
struct MemoryCache {
    archives: Mutex<HashMap<String, CachedArchive>>,
    resolutions: Mutex<HashMap<String, Resolution>>,
}

impl ArchiveCache for MemoryCache {
    fn get(&self, key: &str) -> Option<CachedArchive> {
        self.archives.lock().unwrap().get(key).cloned()
    }
}

impl ResolutionMemo for MemoryCache {
    fn resolution(&self, key: &str) -> Option<Resolution> {
        self.resolutions.lock().unwrap().get(key).cloned()
    }

    fn keep_resolution(&self, key: &str, resolution: &Resolution) {
        self.resolutions.lock().unwrap().insert(key.to_owned(), resolution.clone());
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let value =
        |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).cloned();
    let crates: usize = value("--crates").and_then(|n| n.parse().ok()).unwrap_or(60);
    let tmp = tempfile::tempdir().unwrap();
    let root = match value("--workspace") {
        Some(path) => PathBuf::from(path),
        None => {
            generate(tmp.path(), crates);
            tmp.path().to_path_buf()
        }
    };
    let target = tmp.path().join("cargo-target");
    // cargo's own runs and ours use a target dir outside the workspace.
    unsafe { std::env::set_var("CARGO_TARGET_DIR", &target) };

    let workspace = Workspace::load(Some(&root.join("Cargo.toml")), &BlobStore::disabled())
        .expect("workspace loads");
    let members: Vec<_> = workspace.members.iter().filter(|m| m.publish).collect();
    println!(
        "workspace: {} ({} publishable crates), {} cores",
        root.display(),
        members.len(),
        rayon::current_num_threads()
    );

    // 1. Listing.
    let ours_list = time(|| {
        members.par_iter().for_each(|m| {
            package::list(&workspace, m).expect("listing works");
        })
    });
    let cargo_list = time(|| {
        for m in &members {
            cargo(&root, &["package", "--list", "--allow-dirty", "--offline", "-p", m.name()]);
        }
    });
    report(
        "list every crate's files",
        ours_list,
        "cargo package --list, once per crate",
        cargo_list,
    );

    // 2. The whole package stage, cold.
    let cache = MemoryCache::default();
    let mut total_compressed = 0;
    let ours_package = time(|| {
        let archives: Vec<(String, CachedArchive)> = members
            .par_iter()
            .map(|m| {
                let archive = package::package(&workspace, m, &cache, &Default::default())
                    .expect("packaging works");
                (archive.cache_key.clone(), archive.to_cached())
            })
            .collect();
        total_compressed = archives.iter().map(|a| a.1.compressed_size).sum::<u64>();
        cache.archives.lock().unwrap().extend(archives);
    });
    let cargo_package = time(|| {
        cargo(&root, &["package", "--no-verify", "--allow-dirty", "--offline", "--workspace"]);
    });
    let cargo_crates: u64 = std::fs::read_dir(target.join("package"))
        .map(|dir| {
            dir.flatten()
                .filter(|e| e.path().extension().is_some_and(|x| x == "crate"))
                .map(|e| e.metadata().map(|m| m.len()).unwrap_or(0))
                .sum()
        })
        .unwrap_or(0);
    report(
        "package stage: lists, sizes, fingerprints",
        ours_package,
        "cargo package --no-verify --workspace",
        cargo_package,
    );
    println!(
        "  compressed bytes, all crates: ours {total_compressed}, cargo's .crate files {cargo_crates} ({:+.2}%)",
        (total_compressed as f64 - cargo_crates as f64) * 100.0 / cargo_crates.max(1) as f64
    );

    // 3. A re-run of the unchanged workspace: sizes come from the cache.
    let rerun = time(|| {
        members.par_iter().for_each(|m| {
            package::package(&workspace, m, &cache, &Default::default()).expect("packaging works");
        })
    });
    report("re-run, archives cached", rerun, "first run", ours_package);
}

fn time(f: impl FnOnce()) -> Duration {
    let start = Instant::now();
    f();
    start.elapsed()
}

fn report(ours: &str, ours_time: Duration, theirs: &str, theirs_time: Duration) {
    println!(
        "{ours:<44} {:>9.3} s   vs {theirs:<40} {:>9.3} s   ratio {:>6.1}x",
        ours_time.as_secs_f64(),
        theirs_time.as_secs_f64(),
        theirs_time.as_secs_f64() / ours_time.as_secs_f64().max(1e-9)
    );
}

fn cargo(root: &Path, args: &[&str]) {
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(args)
        .current_dir(root)
        .output()
        .expect("cargo runs");
    assert!(output.status.success(), "cargo {args:?}: {}", String::from_utf8_lossy(&output.stderr));
}

/// A workspace of `n` dependency-free crates with realistic sources, a README and some data,
/// committed to git.
fn generate(root: &Path, n: usize) {
    let members: Vec<String> = (0..n).map(|i| format!("crates/bench-{i:03}")).collect();
    std::fs::write(
        root.join("Cargo.toml"),
        format!("[workspace]\nresolver = \"3\"\nmembers = {members:?}\n"),
    )
    .unwrap();
    std::fs::write(root.join(".gitignore"), "target/\n").unwrap();
    for (i, member) in members.iter().enumerate() {
        let dir = root.join(member);
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::create_dir_all(dir.join("data")).unwrap();
        std::fs::write(
            dir.join("Cargo.toml"),
            format!(
                "[package]\nname = \"bench-{i:03}\"\nversion = \"0.1.{i}\"\nedition = \"2024\"\ndescription = \"Benchmark crate {i}\"\nlicense = \"MIT\"\n"
            ),
        )
        .unwrap();
        std::fs::write(dir.join("README.md"), format!("# bench-{i:03}\n\nA generated crate.\n"))
            .unwrap();
        let mut lib = String::new();
        for module in 0..6 {
            lib.push_str(&format!("pub mod m{module};\n"));
            let mut code = String::new();
            for f in 0..(150 + (i * 37 + module * 11) % 400) {
                code.push_str(&format!(
                    "/// Returns the {f}th value of series {module} for crate {i}.\npub fn value_{f}(x: u64) -> u64 {{\n    let y = x.wrapping_mul({}) ^ {};\n    y.rotate_left({}) + {}\n}}\n\n",
                    (f * 2654435761 + i) % 1000003,
                    (f * 40503 + module) % 65521,
                    f % 63 + 1,
                    i * f % 9973
                ));
            }
            std::fs::write(dir.join(format!("src/m{module}.rs")), code).unwrap();
        }
        std::fs::write(dir.join("src/lib.rs"), lib).unwrap();
        let table: String = (0..20_000)
            .map(|k| format!("{k},{},{}\n", (k * 7919 + i) % 10007, (k * k + i) % 65537))
            .collect();
        std::fs::write(dir.join("data/table.csv"), table).unwrap();
    }
    let git = |args: &[&str]| {
        let status = Command::new("git")
            .args(["-c", "user.name=bench", "-c", "user.email=bench@example.com"])
            .args(args)
            .current_dir(root)
            .output()
            .expect("git runs");
        assert!(status.status.success(), "git {args:?}");
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "generated"]);
}
