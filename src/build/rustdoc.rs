//! The documentation pass of the build check (`--build`), run on what the build just compiled.
//!
//! `cargo doc` compiles every dependency a second time (in check mode) only for rustdoc to
//! read their metadata, although the build before it has just compiled them all. So the
//! build runs with this tool's own binary as cargo's `RUSTC_WRAPPER`, which cargo puts
//! before every compiler call; it becomes the compiler (`exec`), and for the library of the
//! build's primary package (the crate built, never its dependencies) it first starts
//! rustdoc, beside the compiler, with the inputs `cargo doc` would give: the crate's
//! arguments (edition, features and the build script's cfgs, the `--extern` paths of the
//! dependencies just built) and environment (`CARGO_PKG_*`, `OUT_DIR`, the build script's
//! variables). rustdoc reads what the compiler reads, not what it writes, so both run at
//! once, and cargo does not wait for rustdoc; what it said is written beside the library
//! (`lib<name>-<hash>.rustdoc.json` in cargo's `deps` folder),
//! where [`outcome`] waits for it.
//!
//! The crate's build script can set any variable of the wrapper's (`cargo::rustc-env`), so
//! the wrapper takes no path and no program from its environment: where it writes comes
//! from cargo's arguments to the compiler, and rustdoc is the one beside that compiler.

use std::ffi::{OsStr, OsString};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::{Deserialize, Serialize};

/// Set on the cargo processes of `--build`, so the binary is a wrapper only there: `1`
/// when the library is to be documented, `0` when not.
pub const DOCUMENT_VARIABLE: &str = "CARGO_READINESS_DOCUMENT";

/// The first argument of the process that runs rustdoc for the wrapper (this binary again,
/// detached): an argument, which a build script cannot set.
const RUNNER_ARGUMENT: &str = "--cargo-readiness-rustdoc-runner";

/// What the files of one documentation run end with, after the library's own name.
const OUTCOME: &str = ".rustdoc.json";
const LOCK: &str = ".rustdoc.lock";

/// What rustdoc said about the crate's library.
#[derive(Debug, Serialize, Deserialize)]
pub struct Outcome {
    pub success: bool,
    /// Its diagnostics, one JSON object per line (`--error-format=json`).
    pub stderr: String,
}

/// When this process is the compiler wrapper of a `--build` build (or the rustdoc run it
/// starts): does that job and returns the exit code. `None` otherwise.
pub fn wrapper_main() -> Option<i32> {
    let document = std::env::var_os(DOCUMENT_VARIABLE)? == "1";
    let mut args = std::env::args_os().skip(1);
    let Some(program) = args.next() else {
        eprintln!("error: {DOCUMENT_VARIABLE} is set, but no program was given to run");
        return Some(2);
    };
    let args: Vec<OsString> = args.collect();
    // The folder cargo runs the compiler in: the unpacked archive's, in the tool's cache
    // (its arguments name `src/lib.rs` from there), never the checkout.
    let Ok(folder) = std::env::current_dir() else {
        eprintln!("error: the compiler's working folder is gone");
        return Some(101);
    };
    if program == RUNNER_ARGUMENT {
        return Some(match args.split_first() {
            Some((stem, rest)) => match rest.split_first() {
                Some((rustdoc, args)) => run_rustdoc(Path::new(stem), rustdoc, args, &folder),
                None => 2,
            },
            None => 2,
        });
    }
    // The dependencies' metadata rustdoc reads is there before cargo starts the compiler;
    // a failed compile makes rustdoc's verdict moot.
    if document
        && documents(&args)
        && let Some(stem) = library_stem(&args)
        && let Some(rustdoc) = rustdoc_beside(&program)
    {
        start_rustdoc(&stem, &rustdoc, &args, &folder);
    }
    let mut compiler = Command::new(&program);
    compiler.args(&args).current_dir(&folder);
    // The compiler takes this process's place (nothing is left to do after it).
    #[cfg(unix)]
    let result: std::io::Result<std::process::ExitStatus> =
        Err(std::os::unix::process::CommandExt::exec(&mut compiler));
    #[cfg(not(unix))]
    let result = compiler.status();
    match result {
        Ok(status) => Some(status.code().unwrap_or(101)),
        Err(e) => {
            eprintln!("error: could not run {}: {e}", Path::new(&program).display());
            Some(101)
        }
    }
}

/// `<out-dir>/lib<crate-name><extra-filename>`, the library's compiled files without their
/// extension, from cargo's arguments to the compiler.
fn library_stem(args: &[OsString]) -> Option<PathBuf> {
    let out_dir = values(args, "--out-dir").next()?;
    let name = values(args, "--crate-name").next()?;
    let extra = values(args, "-C")
        .chain(args.iter().filter_map(|a| a.to_str()?.strip_prefix("-C")))
        .find_map(|option| option.strip_prefix("extra-filename="))
        .unwrap_or_default();
    let file = format!("lib{name}{extra}");
    (!file.contains(['/', '\\'])).then(|| Path::new(out_dir).join(file))
}

/// Starts rustdoc on the library beside the build, not in it: cargo goes on as soon as the
/// compiler is done (its lock on the target folder released for the next crate's build),
/// and [`outcome`] waits on the runner's lock. The runner takes it before this returns.
fn start_rustdoc(stem: &Path, rustdoc: &Path, args: &[OsString], folder: &Path) {
    let started = std::env::current_exe().and_then(|exe| {
        Command::new(exe)
            .arg(RUNNER_ARGUMENT)
            .arg(stem)
            .arg(rustdoc)
            .args(rustdoc_args(args, &with_suffix(stem, ".rustdoc")))
            .current_dir(folder)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
    });
    let ready = started.and_then(|mut runner| {
        // One byte once the lock is held (none if it could not be).
        let mut byte = [0u8; 1];
        runner.stdout.take().map_or(Ok(0), |mut out| out.read(&mut byte))
    });
    if !matches!(ready, Ok(1)) {
        let why = ready.err().map_or("it stopped before it started".into(), |e| e.to_string());
        let outcome =
            Outcome { success: false, stderr: format!("rustdoc could not be run: {why}") };
        write_outcome(&outcome, stem);
    }
}

/// The runner: holds the lock while rustdoc runs, then writes its outcome (and removes the
/// pages: only the verdict is kept).
fn run_rustdoc(stem: &Path, rustdoc: &OsStr, args: &[OsString], folder: &Path) -> i32 {
    let Ok(lock) = std::fs::File::create(with_suffix(stem, LOCK)) else { return 1 };
    if lock.lock().is_err() {
        return 1;
    }
    // Ready: the wrapper returns, and cargo with it.
    let mut stdout = std::io::stdout();
    if stdout.write_all(b"1").and_then(|()| stdout.flush()).is_err() {
        return 1;
    }
    let rustdoc =
        Command::new(rustdoc).args(args).current_dir(folder).stdout(Stdio::null()).output();
    let outcome = match rustdoc {
        Ok(output) => Outcome {
            success: output.status.success(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        },
        Err(e) => Outcome { success: false, stderr: format!("rustdoc could not be run: {e}") },
    };
    let _ = std::fs::remove_dir_all(with_suffix(stem, ".rustdoc"));
    write_outcome(&outcome, stem);
    0
}

/// Written whole (a temporary file renamed), so a reader never sees half of it.
fn write_outcome(outcome: &Outcome, stem: &Path) {
    let partial = with_suffix(stem, ".rustdoc.partial");
    let bytes = serde_json::to_vec(outcome).expect("serializes");
    let _ = std::fs::write(&partial, bytes)
        .and_then(|()| std::fs::rename(&partial, with_suffix(stem, OUTCOME)));
}

fn with_suffix(stem: &Path, suffix: &str) -> PathBuf {
    let mut path = stem.as_os_str().to_owned();
    path.push(suffix);
    PathBuf::from(path)
}

/// The files of the libraries named `crate_name` documented in `deps` (cargo's folder of
/// compiled units), by stem.
fn documented(deps: &Path, crate_name: &str, suffix: &str) -> Vec<PathBuf> {
    let prefix = format!("lib{crate_name}-");
    let Ok(entries) = std::fs::read_dir(deps) else { return Vec::new() };
    let mut found: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().and_then(OsStr::to_str).unwrap_or_default();
            name.starts_with(&prefix) && name.ends_with(suffix)
        })
        .collect();
    found.sort();
    found
}

/// Removes what earlier documentation runs of `crate_name` left in `deps`, before a build
/// that documents it.
pub fn clear(deps: &Path, crate_name: &str) {
    for suffix in [OUTCOME, LOCK] {
        for path in documented(deps, crate_name, suffix) {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Waits for the documentation runs of `crate_name` still going (after a failed build,
/// none is left running).
pub fn settle(deps: &Path, crate_name: &str) {
    for lock in documented(deps, crate_name, LOCK) {
        wait(&lock);
    }
}

/// Holds until the runner that holds `lock` is done.
fn wait(lock: &Path) {
    if let Ok(lock) = std::fs::File::open(lock) {
        let _ = lock.lock_shared();
    }
}

/// What rustdoc said of the library compiled as `stem` (`<deps>/lib<name>-<hash>`, from
/// cargo's own account of the build), waiting for it to finish; `None` when that library
/// was not documented.
pub fn outcome(stem: &Path) -> Option<Outcome> {
    wait(&with_suffix(stem, LOCK));
    serde_json::from_slice(&std::fs::read(with_suffix(stem, OUTCOME)).ok()?).ok()
}

/// Whether these compiler arguments compile the library of the crate being built (not
/// its build script, binaries or tests, not cargo's probes of the compiler).
fn documents(args: &[OsString]) -> bool {
    let crate_types: Vec<&str> = values(args, "--crate-type").collect();
    std::env::var_os("CARGO_PRIMARY_PACKAGE").is_some()
        && !crate_types.is_empty()
        && !crate_types.contains(&"bin")
        && !args
            .iter()
            .any(|a| a == "--test" || a.to_str().is_some_and(|a| a.starts_with("--print")))
}

/// The values of `flag` (`--flag value` or `--flag=value`).
fn values<'a>(args: &'a [OsString], flag: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    let prefix = format!("{flag}=");
    args.iter().enumerate().filter_map(move |(i, arg)| {
        let arg = arg.to_str()?;
        match arg.strip_prefix(&prefix) {
            Some(value) => Some(value),
            None if arg == flag => args.get(i + 1)?.to_str(),
            None => None,
        }
    })
}

/// The compiler's flags that rustdoc has no use for (outputs, code generation, message
/// format), each with whether it takes the next argument as its value.
const COMPILER_ONLY: &[(&str, bool)] = &[
    ("--emit", true),
    ("--out-dir", true),
    ("-o", true),
    ("-C", true),
    ("--codegen", true),
    ("--json", true),
    ("--error-format", true),
    ("--color", true),
    ("-l", true),
];

/// rustdoc's arguments for the library the compiler was given: everything that decides what
/// the crate is (source file, name, edition, crate types, cfgs, lint levels, search paths,
/// `--extern`s), its output in `out`, its diagnostics as JSON, the version as `cargo doc`
/// passes it.
fn rustdoc_args(args: &[OsString], out: &Path) -> Vec<OsString> {
    let mut kept = Vec::with_capacity(args.len() + 6);
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let text = arg.to_str().unwrap_or_default();
        let dropped = COMPILER_ONLY.iter().find(|(flag, _)| {
            text == *flag
                || text.starts_with(&format!("{flag}="))
                // `-Cdebuginfo=2`, `-lfoo`: short flags with their value attached.
                || (flag.len() == 2 && text.starts_with(flag) && text.len() > 2)
        });
        match dropped {
            Some((flag, takes_value)) if text == *flag => {
                if *takes_value {
                    args.next();
                }
            }
            Some(_) => {}
            None => kept.push(arg.clone()),
        }
    }
    kept.extend(["--error-format=json".into(), "-o".into(), out.as_os_str().to_owned()]);
    if let Some(version) = std::env::var_os("CARGO_PKG_VERSION") {
        kept.extend([OsString::from("--crate-version"), version]);
    }
    kept
}

/// The rustdoc of the toolchain that compiles, beside the compiler cargo called (`RUSTDOC`
/// and `PATH` are not looked at: the build script can set them for this process). None
/// when there is none there: `cargo doc` then documents the crate.
fn rustdoc_beside(rustc: &OsStr) -> Option<PathBuf> {
    let rustc = Path::new(rustc);
    let rustdoc = rustc.parent().filter(|_| rustc.is_absolute())?.join("rustdoc");
    rustdoc.is_file().then_some(rustdoc)
}

/// The compiled library of the crate whose manifest is `manifest`, without its extension
/// (`<deps>/lib<name>-<hash>`, where the wrapper writes what rustdoc said), from the
/// `compiler-artifact` messages of a build. A library cargo copied out of `deps` (a
/// proc-macro built on request) is named by the file in `deps` it is a hard link of.
pub fn compiled_library(stdout: &str, manifest: &Path, deps: &Path) -> Option<PathBuf> {
    const NOT_LIBRARIES: [&str; 5] = ["bin", "test", "bench", "example", "custom-build"];
    let manifest = manifest.to_str()?;
    stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["manifest_path"] == manifest)
        .filter(|m| {
            let kinds = m["target"]["kind"].as_array().into_iter().flatten();
            kinds.filter_map(serde_json::Value::as_str).all(|k| !NOT_LIBRARIES.contains(&k))
        })
        .flat_map(|m| {
            let files = m["filenames"].as_array().cloned().unwrap_or_default();
            files.into_iter().filter_map(|f| f.as_str().map(PathBuf::from))
        })
        .find_map(|file| stem_in(deps, &file))
}

/// `file`'s stem in `deps`: its own, or that of the file in `deps` it is a hard link of.
fn stem_in(deps: &Path, file: &Path) -> Option<PathBuf> {
    if file.parent() == Some(deps) {
        return Some(file.with_extension(""));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let uplifted = std::fs::metadata(file).ok()?;
        let prefix = format!("{}-", file.file_stem()?.to_str()?);
        let extension = file.extension()?;
        std::fs::read_dir(deps).ok()?.filter_map(Result::ok).map(|e| e.path()).find_map(|path| {
            let name = path.file_name()?.to_str()?;
            let linked = name.starts_with(&prefix)
                && path.extension() == Some(extension)
                && std::fs::metadata(&path)
                    .is_ok_and(|m| m.ino() == uplifted.ino() && m.dev() == uplifted.dev());
            linked.then(|| path.with_extension(""))
        })
    }
    #[cfg(not(unix))]
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(args: &str) -> Vec<OsString> {
        args.split_whitespace().map(OsString::from).collect()
    }

    #[test]
    fn compiler_arguments_become_rustdoc_arguments() {
        let rustc = os("--crate-name demo --edition=2021 src/lib.rs --error-format=json \
            --json=diagnostic-rendered-ansi,artifacts --crate-type lib \
            --emit=dep-info,metadata,link -C embed-bitcode=no -Cdebuginfo=2 \
            --cfg feature=\"default\" --check-cfg cfg(docsrs) --out-dir /t/deps \
            -L dependency=/t/deps --extern serde=/t/deps/libserde.rlib -l static=z \
            --cap-lints warn");
        let expected = os("--crate-name demo --edition=2021 src/lib.rs --crate-type lib \
            --cfg feature=\"default\" --check-cfg cfg(docsrs) -L dependency=/t/deps \
            --extern serde=/t/deps/libserde.rlib --cap-lints warn --error-format=json \
            -o /tmp/doc");
        let args = rustdoc_args(&rustc, Path::new("/tmp/doc"));
        assert_eq!(args[..expected.len()], expected);
    }

    #[test]
    fn only_a_library_is_documented() {
        let library = os("--crate-name demo src/lib.rs --crate-type rlib");
        let types: Vec<&str> = values(&library, "--crate-type").collect();
        assert_eq!(types, ["rlib"]);
        let proc_macro = os("--crate-type=proc-macro");
        assert_eq!(values(&proc_macro, "--crate-type").collect::<Vec<_>>(), ["proc-macro"]);
        // `documents` also needs CARGO_PRIMARY_PACKAGE, which cargo sets; without it (a
        // dependency, this test) nothing is documented.
        assert!(!documents(&library));
    }

    #[test]
    fn the_outcome_is_written_beside_the_library_cargo_compiles() {
        let args = os("--crate-name demo src/lib.rs --out-dir /t/debug/deps -C \
            extra-filename=-0a1b2c -C metadata=0a1b2c");
        assert_eq!(library_stem(&args), Some(PathBuf::from("/t/debug/deps/libdemo-0a1b2c")));
        let attached = os("--crate-name demo --out-dir /t/deps -Cextra-filename=-ff");
        assert_eq!(library_stem(&attached), Some(PathBuf::from("/t/deps/libdemo-ff")));
        // No output folder, or a name that would leave it: nothing is written.
        assert_eq!(library_stem(&os("--crate-name demo")), None);
        assert_eq!(library_stem(&os("--crate-name ../x --out-dir /t")), None);
    }
}
