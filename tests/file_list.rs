//! Differential tests: for each rule of cargo's file selection, a throwaway repository or
//! folder in a temp dir, listed by `cargo package --list --allow-dirty` run live and by
//! cargo-readiness (`archive.files` of report.json). The two lists must be equal, order
//! included. Packages have no dependencies, so nothing needs the network.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A temp dir with its own HOME and git configuration, so the machine's settings do not leak.
struct Case {
    dir: tempfile::TempDir,
}

const MANIFEST: &str = "[package]\nname = \"NAME\"\nversion = \"0.1.0\"\nedition = \"2024\"\ndescription = \"d\"\nlicense = \"MIT\"\n";

impl Case {
    fn new() -> Case {
        let case = Case { dir: tempfile::tempdir().unwrap() };
        fs::create_dir_all(case.home().join("xdg")).unwrap();
        case
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn home(&self) -> PathBuf {
        self.root().join(".home")
    }

    fn ws(&self) -> PathBuf {
        self.root().join("ws")
    }

    fn file(&self, path: &str, content: &str) -> &Case {
        let path = self.ws().join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, content).unwrap();
        self
    }

    /// A package `name` at `dir` (relative to the workspace folder) with extra manifest lines.
    fn package(&self, dir: &str, name: &str, extra: &str) -> &Case {
        let manifest = format!("{}{extra}", MANIFEST.replace("NAME", name));
        let prefix = if dir.is_empty() { String::new() } else { format!("{dir}/") };
        self.file(&format!("{prefix}Cargo.toml"), &manifest);
        self.file(&format!("{prefix}src/lib.rs"), "//! lib\n")
    }

    fn symlink(&self, target: &str, link: &str) -> &Case {
        #[cfg(unix)]
        std::os::unix::fs::symlink(target, self.ws().join(link)).unwrap();
        self
    }

    fn command(&self, program: &str, dir: &Path) -> Command {
        let mut command = Command::new(program);
        command
            .current_dir(dir)
            .env("HOME", self.home())
            .env("XDG_CONFIG_HOME", self.home().join("xdg"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@t")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@t")
            .env("CARGO_TARGET_DIR", self.root().join("target"))
            .env("CARGO_READINESS_CACHE_DIR", self.home().join("readiness-cache"))
            .env(
                "CARGO_HOME",
                std::env::var("CARGO_HOME").unwrap_or_else(|_| {
                    format!("{}/.cargo", std::env::var("HOME").unwrap_or_default())
                }),
            );
        command
    }

    fn git_in(&self, dir: &str, args: &[&str]) -> &Case {
        let output = self.command("git", &self.ws().join(dir)).args(args).output().unwrap();
        assert!(
            output.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        self
    }

    fn git(&self, args: &[&str]) -> &Case {
        self.git_in("", args)
    }

    /// `git init`, add everything, commit.
    fn commit_all(&self) -> &Case {
        self.git(&["init", "-q", "-b", "main"])
            .git(&["add", "-A"])
            .git(&["commit", "-q", "-m", "c"])
    }

    fn run(&self, program: &str, args: &[&str]) -> Output {
        self.command(program, &self.ws()).args(args).output().unwrap()
    }

    fn cargo_list(&self, package: &str) -> Result<Vec<String>, String> {
        let output =
            self.run("cargo", &["package", "--list", "--allow-dirty", "--offline", "-p", package]);
        if !output.status.success() {
            return Err(String::from_utf8_lossy(&output.stderr).into_owned());
        }
        Ok(String::from_utf8_lossy(&output.stdout).lines().map(str::to_owned).collect())
    }

    fn our_list(&self, package: &str) -> Result<Vec<String>, String> {
        let out = self.root().join("site");
        let _ = fs::remove_dir_all(&out);
        let output = self.run(
            env!("CARGO_BIN_EXE_cargo-readiness"),
            &["-q", "-p", package, "--out", out.to_str().unwrap()],
        );
        if output.status.code() == Some(2) {
            return Err(String::from_utf8_lossy(&output.stderr).into_owned());
        }
        let report: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
        Ok(report["crates"][0]["archive"]["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["path"].as_str().unwrap().to_owned())
            .collect())
    }

    /// Both list the same files in the same order; returns the list.
    fn same(&self, package: &str) -> Vec<String> {
        let cargo = self.cargo_list(package).unwrap_or_else(|e| panic!("cargo failed: {e}"));
        let ours = self.our_list(package).unwrap_or_else(|e| panic!("cargo-readiness failed: {e}"));
        assert_eq!(ours, cargo, "cargo-readiness (left) and cargo package --list (right) differ");
        ours
    }
}

impl Case {
    /// The `.crate` cargo-readiness writes with `--emit-crate` is byte for byte the one
    /// `cargo package` writes, and report.json's compressed size is its length.
    fn same_crate(&self, package: &str) {
        let output = self
            .run("cargo", &["package", "--no-verify", "--allow-dirty", "--offline", "-p", package]);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let name = format!("{package}-0.1.0.crate");
        let cargo = fs::read(self.root().join("target/package").join(&name)).unwrap();

        let out = self.root().join("site");
        let _ = fs::remove_dir_all(&out);
        let args = ["-q", "-p", package, "--emit-crate", "--out", out.to_str().unwrap()];
        let output = self.run(env!("CARGO_BIN_EXE_cargo-readiness"), &args);
        assert_ne!(output.status.code(), Some(2), "{}", String::from_utf8_lossy(&output.stderr));
        let ours = fs::read(out.join("crates").join(package).join(&name)).unwrap();
        let report: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
        assert_eq!(report["crates"][0]["archive"]["compressed_size"], cargo.len());
        assert!(ours == cargo, "the archives differ ({} and {} bytes)", ours.len(), cargo.len());
    }
}

fn has(list: &[String], path: &str) -> bool {
    list.iter().any(|p| p == path)
}

#[test]
fn plain_git_repository() {
    let case = Case::new();
    case.package("", "plain", "").file("README.md", "# r\n").file("src/a/b.rs", "").commit_all();
    let list = case.same("plain");
    assert!(has(&list, ".cargo_vcs_info.json") && has(&list, "src/a/b.rs"));
}

#[test]
fn untracked_ignored_and_tracked_ignored_files() {
    let case = Case::new();
    case.package("", "ign", "")
        .file(".gitignore", "*.log\nsecret/\n")
        .file("tracked.log", "kept: tracked before the rule applied")
        .commit_all()
        .file("new.txt", "untracked, not ignored: packaged")
        .file("debug.log", "untracked and ignored")
        .file("secret/key.txt", "ignored folder");
    case.git(&["add", "-f", "tracked.log"]);
    let list = case.same("ign");
    assert!(has(&list, "new.txt") && has(&list, "tracked.log") && !has(&list, "debug.log"));
}

#[test]
fn ignore_rules_from_parent_info_exclude_and_global_excludes() {
    let case = Case::new();
    case.file(".gitignore", "*.parent\n")
        .package("pkg", "rules", "")
        .file("Cargo.toml", "[workspace]\nmembers = [\"pkg\"]\nresolver = \"3\"\n")
        .commit_all()
        .file("pkg/a.parent", "")
        .file("pkg/b.info", "")
        .file("pkg/c.global", "")
        .file("pkg/d.txt", "");
    fs::write(case.ws().join(".git/info/exclude"), "*.info\n").unwrap();
    fs::create_dir_all(case.home().join("xdg/git")).unwrap();
    fs::write(case.home().join("xdg/git/ignore"), "*.global\n").unwrap();
    let list = case.same("rules");
    assert!(
        has(&list, "d.txt")
            && !has(&list, "a.parent")
            && !has(&list, "b.info")
            && !has(&list, "c.global")
    );
}

#[test]
fn hidden_files_in_git_mode_and_in_walk_mode() {
    let git = Case::new();
    git.package("", "hidden", "").file(".hidden", "").file(".config/x.toml", "").commit_all();
    assert!(has(&git.same("hidden"), ".hidden"));

    let walk = Case::new();
    walk.package("", "hidden", "")
        .file(".hidden", "")
        .file(".config/x.toml", "")
        .file("visible", "");
    let list = walk.same("hidden");
    assert!(!has(&list, ".hidden") && has(&list, "visible"));
}

#[test]
fn include_with_negation_and_include_overrides_exclude() {
    let case = Case::new();
    case.package(
        "",
        "inc",
        "include = [\"src/**\", \"!src/skip.rs\", \"data/*.txt\", \".hidden\"]\nexclude = [\"src/\"]\n",
    )
    .file("src/skip.rs", "")
    .file("src/keep.rs", "")
    .file("data/a.txt", "")
    .file("data/b.bin", "")
    .file(".hidden", "")
    .file("other.md", "")
    .commit_all();
    let list = case.same("inc");
    assert!(has(&list, "src/keep.rs") && !has(&list, "src/skip.rs") && has(&list, ".hidden"));
}

#[test]
fn exclude_anchored_unanchored_and_directory_only() {
    for repo in [true, false] {
        let case = Case::new();
        case.package("", "exc", "exclude = [\"/top.txt\", \"notes.md\", \"build/\", \"*.tmp\"]\n")
            .file("top.txt", "")
            .file("sub/top.txt", "")
            .file("notes.md", "")
            .file("sub/notes.md", "")
            .file("build/out.o", "")
            .file("sub/build", "a file named build")
            .file("a.tmp", "");
        if repo {
            case.commit_all();
        }
        let list = case.same("exc");
        assert!(
            has(&list, "sub/top.txt") && !has(&list, "sub/notes.md") && has(&list, "sub/build")
        );
    }
}

#[test]
fn excluded_folder_with_a_kept_file_differs_between_modes() {
    for repo in [true, false] {
        let case = Case::new();
        case.package("", "keep", "exclude = [\"/dir\", \"!/dir/keep.txt\"]\n")
            .file("dir/keep.txt", "")
            .file("dir/drop.txt", "");
        if repo {
            case.commit_all();
        }
        let list = case.same("keep");
        assert_eq!(
            has(&list, "dir/keep.txt"),
            repo,
            "git mode keeps it, walk mode prunes the folder"
        );
    }
}

#[test]
fn sub_packages_and_target_folders() {
    let case = Case::new();
    case.package("", "outer", "")
        .package("inner", "inner", "")
        .file("inner/data.txt", "")
        .file("target/tracked.txt", "tracked under target/")
        .file("nested/target/file.txt", "only the root target/ is special")
        .commit_all()
        .file("target/debug/untracked", "");
    let list = case.same("outer");
    assert!(has(&list, "target/tracked.txt") && !has(&list, "target/debug/untracked"));
    assert!(!list.iter().any(|p| p.starts_with("inner/")));
    assert!(has(&list, "nested/target/file.txt"));
}

#[test]
fn a_file_named_target_in_walk_mode() {
    let case = Case::new();
    case.package("", "tgt", "").file("target", "a file").file("sub/target/x", "");
    let list = case.same("tgt");
    assert!(has(&list, "target"));
}

#[test]
fn symlinked_files_and_folders() {
    for repo in [true, false] {
        let case = Case::new();
        case.package("", "links", "")
            .file("real/a.txt", "a")
            .file("real/.dot", "")
            .file("shared.txt", "s")
            .symlink("real", "linked")
            .symlink("shared.txt", "alias.txt");
        if repo {
            case.commit_all();
        }
        let list = case.same("links");
        assert!(has(&list, "linked/a.txt") && has(&list, "alias.txt"));
    }
}

/// cargo's own repository: six folders of its testsuite each hold `in`, a link to one
/// sibling folder; cargo lists that folder's files under every link's name.
#[test]
fn links_to_one_folder_inside_the_package_are_each_followed() {
    for repo in [true, false] {
        let case = Case::new();
        case.package("", "many", "")
            .file("t/init/empty_dir/mod.rs", "")
            .file("t/init/empty_dir/.keep", "");
        for test in ["simple_bin", "simple_lib", "auto_git"] {
            case.file(&format!("t/init/{test}/out/Cargo.toml.in"), "")
                .symlink("../empty_dir", &format!("t/init/{test}/in"));
        }
        if repo {
            case.commit_all();
        }
        let list = case.same("many");
        for test in ["simple_bin", "simple_lib", "auto_git"] {
            assert!(has(&list, &format!("t/init/{test}/in/mod.rs")), "{test}, git {repo}");
        }
    }
}

#[test]
fn a_link_to_a_folder_outside_the_package_inside_the_repository_is_followed() {
    for repo in [true, false] {
        let case = Case::new();
        case.file("Cargo.toml", "[workspace]\nmembers = [\"pkg\"]\nresolver = \"3\"\n")
            .file("shared/data.txt", "shared\n")
            .file("shared/deep/more.txt", "")
            .package("pkg", "linked", "")
            .symlink("../shared", "pkg/assets");
        if repo {
            case.commit_all();
        }
        let list = case.same("linked");
        assert!(has(&list, "assets/data.txt") && has(&list, "assets/deep/more.txt"), "git {repo}");
    }
}

/// cargo follows a link wherever it leads; the report refuses one that leaves the
/// repository (it would publish whatever the machine holds there), lists everything else
/// as cargo does, and says why in the archive's warnings.
#[test]
fn a_link_out_of_the_repository_is_refused_where_cargo_follows_it() {
    for repo in [true, false] {
        let case = Case::new();
        let outside = case.root().join("outside");
        fs::create_dir_all(&outside).unwrap();
        fs::write(outside.join("private.txt"), "not the repository's\n").unwrap();
        case.package("", "escape", "")
            .file("kept.txt", "")
            .symlink(outside.to_str().unwrap(), "ext");
        if repo {
            case.commit_all();
        }
        let cargo = case.cargo_list("escape").unwrap();
        let ours = case.our_list("escape").unwrap();
        assert!(has(&cargo, "ext/private.txt"), "cargo follows the link: {cargo:?}");
        let expected: Vec<String> = cargo.into_iter().filter(|p| !p.starts_with("ext/")).collect();
        assert_eq!(ours, expected, "git {repo}");
        let report: serde_json::Value = serde_json::from_str(
            &fs::read_to_string(case.root().join("site/report.json")).unwrap(),
        )
        .unwrap();
        let warnings = report["crates"][0]["archive"]["warnings"].to_string();
        assert!(
            warnings.contains("symbolic link ext points outside the repository; not followed"),
            "{warnings}"
        );
    }
}

#[test]
fn broken_symlinks() {
    let excluded = Case::new();
    excluded
        .package("", "broken", "exclude = [\"dangling\"]\n")
        .symlink("nowhere", "dangling")
        .commit_all();
    excluded.same("broken");

    // cargo lists a broken link it then fails to archive; the report lists it too (and
    // the file-unreadable check fails, see tests/cli.rs).
    for repo in [true, false] {
        let kept = Case::new();
        kept.package("", "broken", "").symlink("nowhere", "dangling");
        if repo {
            kept.commit_all();
        }
        assert!(has(&kept.same("broken"), "dangling"));
    }
}

#[test]
fn nested_repository() {
    let case = Case::new();
    case.package("", "outer", "").file("vendor/lib/a.c", "").file("vendor/lib/.gitignore", "*.o\n");
    case.git_in("vendor/lib", &["init", "-q"])
        .git_in("vendor/lib", &["add", "-A"])
        .git_in("vendor/lib", &["commit", "-q", "-m", "v"]);
    case.file("vendor/lib/b.o", "").commit_all();
    case.same("outer");
}

#[test]
fn readme_and_license_outside_the_package() {
    let case = Case::new();
    case.file(
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/a\", \"crates/b\"]\nresolver = \"3\"\n",
    )
    .file("README.md", "# shared\n")
    .file("LICENSE-MIT", "mit\n")
    .package(
        "crates/a",
        "a",
        "readme = \"../../README.md\"\nlicense-file = \"../../LICENSE-MIT\"\n",
    )
    .package("crates/b", "b", "readme = \"../../README.md\"\n")
    .file("crates/b/README.md", "# root file wins\n")
    .commit_all();
    let list = case.same("a");
    assert!(has(&list, "README.md") && has(&list, "LICENSE-MIT"));
    case.same("b");
}

#[test]
fn readme_detection_and_excluded_readme() {
    let case = Case::new();
    case.package("", "readme", "exclude = [\"README.md\", \"docs/\"]\n")
        .file("README.md", "# r\n")
        .file("docs/x.md", "")
        .commit_all();
    assert!(has(&case.same("readme"), "README.md"), "the readme is packaged even when excluded");

    let txt = Case::new();
    txt.package("", "readme", "").file("README.txt", "r\n").commit_all();
    txt.same("readme");
}

#[test]
fn untracked_manifest_means_walk_mode_and_no_repository_means_walk_mode() {
    let case = Case::new();
    case.file("tracked.txt", "").commit_all().package("", "late", "").file(".hidden", "");
    let list = case.same("late");
    assert!(!has(&list, ".hidden"), "walk mode drops hidden files");

    let plain = Case::new();
    plain.package("", "plain", "").file("Cargo.lock", "# from disk\n").file("cargo.toml", "");
    plain.same("plain");
}

#[test]
fn workspace_member_by_name() {
    let case = Case::new();
    case.file("Cargo.toml", "[workspace]\nmembers = [\"one\", \"two\"]\nresolver = \"3\"\n")
        .package("one", "one", "")
        .package("two", "two", "")
        .file("two/extra.txt", "")
        .commit_all();
    case.same("one");
    assert!(has(&case.same("two"), "extra.txt"));
}

#[test]
fn path_order_matches_cargo() {
    let case = Case::new();
    case.package("", "order", "")
        .file("a/x", "")
        .file("a-b/x", "")
        .file("a.b", "")
        .file("B.txt", "")
        .file("b.txt", "")
        .file("Z/z", "")
        .file("_u", "")
        .commit_all();
    case.same("order");
}

#[test]
fn deleted_tracked_file_and_dirty_files() {
    let case = Case::new();
    case.package("", "dirty", "").file("gone.txt", "").file("changed.txt", "v1").commit_all();
    fs::remove_file(case.ws().join("gone.txt")).unwrap();
    case.file("changed.txt", "v2").file("new.txt", "");
    let list = case.same("dirty");
    assert!(!has(&list, "gone.txt"));
}

#[test]
fn the_archive_is_byte_identical_to_cargos() {
    let case = Case::new();
    let long = format!("deep/{}/{}.txt", "d".repeat(60), "long-name-".repeat(8));
    let binary: String = (0..20_000u32)
        .map(|i| char::from(b'!' + (i.wrapping_mul(2654435761) >> 27) as u8))
        .collect();
    case.package("", "exact", "readme = \"README.md\"\nkeywords = [\"a\", \"b\"]\n")
        .file("README.md", "# exact\n\nSome text.\n")
        .file(&long, "a path over 100 bytes needs a GNU long-name entry\n")
        .file("data/noise.txt", &binary)
        .file("src/more.rs", &"pub fn f() {}\n".repeat(500))
        .file("run.sh", "#!/bin/sh\necho hi\n");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(case.ws().join("run.sh"), fs::Permissions::from_mode(0o755)).unwrap();
    }
    case.commit_all();
    case.same("exact");
    case.same_crate("exact");

    let walk = Case::new();
    walk.package("", "walked", "").file("notes.txt", "n\n");
    walk.same_crate("walked");
}

#[test]
fn symlink_loop_in_walk_mode_is_a_warning() {
    let case = Case::new();
    case.package("", "looped", "").file("dir/a.txt", "").symlink("..", "dir/up");
    let list = case.same("looped");
    assert!(has(&list, "dir/a.txt"));
}

#[test]
fn submodule_with_its_own_ignore_rules() {
    let case = Case::new();
    let upstream = case.root().join("upstream");
    fs::create_dir_all(&upstream).unwrap();
    let git_at = |dir: &Path, args: &[&str]| {
        let output = case.command("git", dir).args(args).output().unwrap();
        assert!(
            output.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    fs::write(upstream.join("lib.c"), "int x;\n").unwrap();
    fs::write(upstream.join(".gitignore"), "*.o\n").unwrap();
    git_at(&upstream, &["init", "-q"]);
    git_at(&upstream, &["add", "-A"]);
    git_at(&upstream, &["commit", "-q", "-m", "u"]);
    case.package("", "withsub", "").commit_all();
    git_at(
        &case.ws(),
        &[
            "-c",
            "protocol.file.allow=always",
            "submodule",
            "add",
            "-q",
            upstream.to_str().unwrap(),
            "vendor/up",
        ],
    );
    git_at(&case.ws(), &["commit", "-q", "-m", "sub"]);
    case.file("vendor/up/build.o", "ignored by the submodule's rules");
    let list = case.same("withsub");
    assert!(has(&list, "vendor/up/lib.c") && !has(&list, "vendor/up/build.o"));
}

#[cfg(unix)]
#[test]
fn non_utf8_file_name_is_refused() {
    use std::os::unix::ffi::OsStrExt;
    let case = Case::new();
    case.package("", "bytes", "").commit_all();
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.txt");
    fs::write(case.ws().join(name), "latin-1 name").unwrap();
    assert!(case.cargo_list("bytes").is_err(), "cargo refuses a non-UTF-8 name");
    let out = case.root().join("site");
    let output =
        case.run(env!("CARGO_BIN_EXE_cargo-readiness"), &["-q", "--out", out.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
    let report: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let check = report["crates"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "file-name-invalid")
        .unwrap();
    assert_eq!(check["status"], "fail");
}

impl Case {
    /// `cargo package` with its verification build, `rustflags` set: Ok, or cargo's errors.
    fn cargo_verifies(&self, package: &str, rustflags: &str) -> Result<(), String> {
        let output = self
            .command("cargo", &self.ws())
            .args(["package", "--allow-dirty", "--offline", "-p", package])
            .env("RUSTFLAGS", rustflags)
            .output()
            .unwrap();
        match output.status.success() {
            true => Ok(()),
            false => Err(String::from_utf8_lossy(&output.stderr).into_owned()),
        }
    }

    /// The status (`pass`, `fail`) of each check id in the report `our_list` wrote last.
    fn statuses(&self, ids: &[&str]) -> Vec<String> {
        let report: serde_json::Value = serde_json::from_str(
            &fs::read_to_string(self.root().join("site/report.json")).unwrap(),
        )
        .unwrap();
        let checks = report["crates"][0]["checks"].as_array().unwrap();
        ids.iter()
            .map(|id| {
                let check = checks.iter().find(|c| c["id"] == *id).unwrap();
                check["status"].as_str().unwrap().to_owned()
            })
            .collect()
    }
}

/// cargo publish's verification never compiles `#[cfg(test)]` code, so an include there of
/// a file the archive leaves out does not stop it; a build with a custom `--cfg` compiles
/// code under that cfg and fails; code any build compiles fails verification itself. The
/// report's two checks say the same, live against cargo.
#[test]
fn includes_the_verification_build_compiles_and_those_it_does_not() {
    let lib = |code: &str| format!("//! lib\n{code}\n");
    let test_only = "#[cfg(test)]\nmod tests {\n    #[test]\n    fn key() {\n        #[cfg(test)]\n        let k = include_bytes!(\"../testdata/k.bin\");\n        assert!(!k.is_empty());\n    }\n}";
    let bench_only = "#[cfg(bench)]\npub const B: &[u8] = include_bytes!(\"../testdata/k.bin\");";
    let always = "pub const A: &[u8] = include_bytes!(\"../testdata/k.bin\");";
    let ids = ["compile-input-missing", "compile-input-missing-under-cfg"];
    let cases = [
        (test_only, true, true, ["pass", "pass"]),
        (bench_only, true, false, ["pass", "fail"]),
        (always, false, false, ["fail", "pass"]),
    ];
    for (code, verifies, verifies_with_cfg, statuses) in cases {
        let case = Case::new();
        case.package("", "inputs", "exclude = [\"/testdata/\"]\n")
            .file("src/lib.rs", &lib(code))
            .file("testdata/k.bin", "key bytes");
        case.our_list("inputs").unwrap();
        assert_eq!(case.statuses(&ids), statuses, "{code}");
        assert_eq!(case.cargo_verifies("inputs", "").is_ok(), verifies, "{code}");
        let with_cfg = case.cargo_verifies("inputs", "--cfg bench");
        assert_eq!(with_cfg.is_ok(), verifies_with_cfg, "{code}: {with_cfg:?}");
    }
}
