//! The documentation pass of `--verify`, run on what the build just compiled.
//!
//! `cargo doc` compiles every dependency a second time (in check mode) only for rustdoc to
//! read their metadata, although the build before it has just compiled them all. So the
//! build runs with this tool's own binary as cargo's `RUSTC_WORKSPACE_WRAPPER`, which cargo
//! puts before the compiler calls of the crate being built (never of its dependencies).
//! The wrapper runs the compiler as asked; after the crate's library compiled, it runs
//! rustdoc on it with the same inputs `cargo doc` would give: the crate's arguments (edition,
//! features and the build script's cfgs, the `--extern` paths of the dependencies just
//! built) and environment (`CARGO_PKG_*`, `OUT_DIR`, the build script's variables). rustdoc
//! runs beside the build rather than in it (cargo does not wait for it), and what it said
//! is written to the file [`RESULT_VARIABLE`] names.

use std::ffi::{OsStr, OsString};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::{Deserialize, Serialize};

/// Set on the cargo processes of `--verify` (so the binary is a wrapper only there): the
/// file the wrapper writes rustdoc's outcome to, or empty when the build is not to be
/// documented.
pub const RESULT_VARIABLE: &str = "CARGO_READINESS_RUSTDOC_RESULT";

/// Set on the process that runs rustdoc for the wrapper (this binary again, detached).
const RUNNER_VARIABLE: &str = "CARGO_READINESS_RUSTDOC_RUNNER";

/// What rustdoc said about the crate's library.
#[derive(Debug, Serialize, Deserialize)]
pub struct Outcome {
    pub success: bool,
    /// Its diagnostics, one JSON object per line (`--error-format=json`).
    pub stderr: String,
}

/// When this process is the compiler wrapper of a `--verify` build (or the rustdoc run it
/// starts): does that job and returns the exit code. `None` otherwise.
pub fn wrapper_main() -> Option<i32> {
    let result = PathBuf::from(std::env::var_os(RESULT_VARIABLE)?);
    let mut args = std::env::args_os().skip(1);
    let Some(program) = args.next() else {
        eprintln!("error: {RESULT_VARIABLE} is set, but no program was given to run");
        return Some(2);
    };
    let args: Vec<OsString> = args.collect();
    if std::env::var_os(RUNNER_VARIABLE).is_some() {
        return Some(run_rustdoc(&program, &args, &result));
    }
    let code = match Command::new(&program).args(&args).status() {
        Ok(status) => status.code().unwrap_or(101),
        Err(e) => {
            eprintln!("error: could not run {}: {e}", Path::new(&program).display());
            return Some(101);
        }
    };
    if code == 0 && !result.as_os_str().is_empty() && documents(&args) {
        start_rustdoc(&program, &args, &result);
    }
    Some(code)
}

/// Starts rustdoc on the library beside the build, not in it: cargo goes on as soon as the
/// compiler is done (its lock on the target folder released for the next crate's build),
/// and the verifier waits on [`lock_path`] for rustdoc to finish. The runner takes the lock
/// before this wrapper returns.
fn start_rustdoc(rustc: &OsStr, args: &[OsString], result: &Path) {
    let started = std::env::current_exe().and_then(|exe| {
        Command::new(exe)
            .arg(rustdoc(rustc))
            .args(rustdoc_args(args, &result.with_file_name("doc")))
            .env(RUNNER_VARIABLE, "1")
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
        write_outcome(&outcome, result);
    }
}

/// The runner: holds the lock while rustdoc runs, then writes its outcome.
fn run_rustdoc(rustdoc: &OsStr, args: &[OsString], result: &Path) -> i32 {
    let Ok(lock) = std::fs::File::create(lock_path(result)) else { return 1 };
    if lock.lock().is_err() {
        return 1;
    }
    // Ready: the wrapper returns, and cargo with it.
    let mut stdout = std::io::stdout();
    if stdout.write_all(b"1").and_then(|()| stdout.flush()).is_err() {
        return 1;
    }
    let outcome = match Command::new(rustdoc).args(args).stdout(Stdio::null()).output() {
        Ok(output) => Outcome {
            success: output.status.success(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        },
        Err(e) => Outcome { success: false, stderr: format!("rustdoc could not be run: {e}") },
    };
    write_outcome(&outcome, result);
    0
}

/// Written whole (a temporary file renamed), so a reader never sees half of it.
fn write_outcome(outcome: &Outcome, result: &Path) {
    let partial = result.with_extension("partial");
    let bytes = serde_json::to_vec(outcome).expect("serializes");
    let _ = std::fs::write(&partial, bytes).and_then(|()| std::fs::rename(&partial, result));
}

/// The lock a rustdoc runner holds while it runs.
fn lock_path(result: &Path) -> PathBuf {
    result.with_extension("lock")
}

/// What rustdoc said of the library documented during the build that wrote to `result`
/// (waiting for it to finish), if it was documented.
pub fn outcome(result: &Path) -> Option<Outcome> {
    if let Ok(lock) = std::fs::File::open(lock_path(result)) {
        // Held by the runner until rustdoc is done; free when it ended or never ran.
        let _ = lock.lock_shared();
    }
    serde_json::from_slice(&std::fs::read(result).ok()?).ok()
}

/// Whether these compiler arguments compile the library of the crate being verified (not
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

/// The rustdoc of the toolchain that compiles: `RUSTDOC` when set (as cargo reads it), else
/// the one beside the compiler cargo called.
fn rustdoc(rustc: &OsStr) -> OsString {
    if let Some(rustdoc) = std::env::var_os("RUSTDOC") {
        return rustdoc;
    }
    let rustc = Path::new(rustc);
    match rustc.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(dir) if dir.join("rustdoc").is_file() => dir.join("rustdoc").into_os_string(),
        _ => "rustdoc".into(),
    }
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
}
