//! The whole tool under load: synthetic workspaces of many crates, run cold (empty cache,
//! no previous site) and warm (the same input again), as a user runs it.
//!
//!     cargo bench --bench load                          # 10, 100 and 1000 crates
//!     cargo bench --bench load -- --sizes 10,100
//!     cargo bench --bench load -- --workspace PATH      # a real workspace (a git checkout)
//!     cargo bench --bench load -- --keep DIR            # generate into DIR and keep it
//!
//! Each run is the release binary as a separate process; the figures are its wall time and
//! its peak resident memory (from the kernel's accounting of the finished child). Targets
//! (issue 13): 1,000 crates cold under 30 s and warm under 5 s on a 2-core machine, memory
//! under 1 GiB; a warm run at most 15% of the cold one.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let value =
        |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).cloned();
    let tmp = tempfile::tempdir().unwrap();
    let generated = value("--keep").map(PathBuf::from).unwrap_or_else(|| tmp.path().to_path_buf());
    let workspaces: Vec<(String, PathBuf)> = match value("--workspace") {
        Some(path) => vec![(path.clone(), PathBuf::from(path))],
        None => value("--sizes")
            .unwrap_or_else(|| "10,100,1000".into())
            .split(',')
            .filter_map(|n| n.trim().parse::<usize>().ok())
            .map(|n| {
                let root = generated.join(format!("ws-{n}"));
                if !root.join("Cargo.toml").exists() {
                    generate(&root, n);
                }
                (format!("{n} crates"), root)
            })
            .collect(),
    };
    println!(
        "{:<28} {:>9} {:>9} {:>7} {:>11} {:>11}",
        "workspace", "cold", "warm", "warm %", "cold mem", "warm mem"
    );
    for (label, root) in workspaces {
        let scratch = tmp.path().join(format!("run-{}", label.replace(['/', ' '], "-")));
        fs::create_dir_all(&scratch).unwrap();
        let cold = run(&root, &scratch);
        let warm = run(&root, &scratch);
        println!(
            "{label:<28} {:>8.2}s {:>8.2}s {:>6.1}% {:>8} MiB {:>8} MiB",
            cold.wall.as_secs_f64(),
            warm.wall.as_secs_f64(),
            warm.wall.as_secs_f64() * 100.0 / cold.wall.as_secs_f64(),
            cold.peak_kib / 1024,
            warm.peak_kib / 1024,
        );
    }
}

struct Measured {
    wall: Duration,
    peak_kib: i64,
}

/// One run of the binary on `root`, its site and cache under `scratch`.
fn run(root: &Path, scratch: &Path) -> Measured {
    let started = Instant::now();
    // Reaped below by wait4, which also returns the child's resource usage.
    #[allow(clippy::zombie_processes)]
    let child = Command::new(env!("CARGO_BIN_EXE_cargo-readiness"))
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"))
        .arg("--out")
        .arg(scratch.join("site"))
        .arg("-q")
        .env("CARGO_TARGET_DIR", scratch.join("target"))
        .env("CARGO_READINESS_CACHE_DIR", scratch.join("cache"))
        .env("XDG_CACHE_HOME", scratch.join("xdg-cache"))
        .current_dir(scratch)
        .spawn()
        .expect("the binary starts");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own child, not yet reaped; `status` and `usage` are valid.
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(reaped, pid, "wait4 reaps the child");
    let wall = started.elapsed();
    let code = libc::WEXITSTATUS(status);
    assert!(code < 2, "the run failed with exit code {code}");
    Measured { wall, peak_kib: usage.ru_maxrss }
}

/// A workspace of `n` crates, committed to git: each with a README, a few source files and
/// the metadata a ready crate has; every tenth crate depends on the one before it.
fn generate(root: &Path, n: usize) {
    let mut members = Vec::with_capacity(n);
    for i in 0..n {
        let name = format!("load-{i:04}");
        let dir = root.join("crates").join(&name);
        fs::create_dir_all(dir.join("src")).unwrap();
        let dependency = if i % 10 == 9 {
            format!(
                "\n[dependencies]\nload-{:04} = {{ path = \"../load-{:04}\", version = \"0.1.0\" }}\n",
                i - 1,
                i - 1
            )
        } else {
            String::new()
        };
        fs::write(
            dir.join("Cargo.toml"),
            format!(
                "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\nrust-version = \"1.70\"\ndescription = \"Synthetic crate {i} of a load test\"\nlicense = \"MIT OR Apache-2.0\"\nrepository = \"https://github.com/example/load\"\nreadme = \"README.md\"\nkeywords = [\"load\", \"test\"]\ncategories = [\"development-tools\"]\n{dependency}"
            ),
        )
        .unwrap();
        let mut readme = format!(
            "# {name}\n\nA synthetic crate.\n\n```rust\nuse {}::f;\n```\n",
            name.replace('-', "_")
        );
        for section in 0..20 {
            readme.push_str(&format!("\n## Section {section}\n\nSome *text* with a [link](https://example.com/{section}) and `code`.\n\n- one\n- two\n"));
        }
        fs::write(dir.join("README.md"), readme).unwrap();
        let mut lib = String::from(
            "//! A synthetic crate.\n\npub mod a;\npub mod b;\n\npub fn f() -> u32 {\n    a::g() + b::h()\n}\n",
        );
        lib.push_str(&"// filler line of a realistic source file\n".repeat(200));
        fs::write(dir.join("src/lib.rs"), lib).unwrap();
        fs::write(dir.join("src/a.rs"), "pub fn g() -> u32 {\n    1\n}\n").unwrap();
        fs::write(dir.join("src/b.rs"), "pub fn h() -> u32 {\n    2\n}\n").unwrap();
        members.push(format!("crates/{name}"));
    }
    fs::write(
        root.join("Cargo.toml"),
        format!("[workspace]\nresolver = \"2\"\nmembers = {members:?}\n"),
    )
    .unwrap();
    for args in [&["init", "-q"][..], &["add", "-A"], &["commit", "-q", "-m", "load"]] {
        let status = Command::new("git")
            .args(["-c", "user.name=bench", "-c", "user.email=bench@example.com"])
            .args(args)
            .current_dir(root)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .status()
            .unwrap();
        assert!(status.success(), "git {args:?}");
    }
}
