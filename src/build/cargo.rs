//! One cargo call of the build check (`--build`), from a neutral folder, with the tool's
//! settings and environment, and what it came to: its verdict, with the compiler's errors as
//! the page shows them.

use std::path::Path;
use std::process::Command;

use super::{Builder, MAX_LINES, Verdict, rustdoc};
use crate::workspace::cargo_program;

impl Builder<'_> {
    /// Runs `cargo <command>`, members patched in with `patches`; the errors it printed
    /// (as `strip` shows them), when it failed. With `document`, the wrapper documents the
    /// libraries of the build's primary packages as it compiles them (see
    /// [`rustdoc::outcome`]).
    pub(super) fn cargo(
        &self,
        invocation: &Invocation,
        patches: &[String],
        strip: &dyn Fn(&str) -> String,
    ) -> Ran {
        let Invocation { command, manifest, args, rustflags, rustdocflags, document, json } =
            *invocation;
        let ran = |verdict| Ran { verdict, stdout: String::new() };
        let Ok(neutral) = tempfile::tempdir() else {
            return ran(Verdict::NotTried("no temporary folder".into()));
        };
        let mut cargo = Command::new(cargo_program());
        cargo.args(command);
        if json {
            cargo.args(["--message-format", "json"]);
        }
        cargo.arg("--manifest-path").arg(manifest);
        if self.offline {
            cargo.arg("--offline");
        }
        for patch in patches {
            cargo.arg("--config").arg(patch);
        }
        // Without debug information (no verdict depends on it, and it is a sixth of a cold
        // build) and without incremental state, for every package but a build's root: the
        // crate itself (a dependency of its package, see `root.rs`), the members patched in
        // (path dependencies, which cargo would compile incrementally; in cargo's own
        // verification they come from its local registry), and the others.
        for setting in ["debug=0", "incremental=false"] {
            cargo.arg("--config").arg(format!("profile.dev.package.\"*\".{setting}"));
        }
        cargo
            .args(args)
            .current_dir(neutral.path())
            .env("CARGO_TARGET_DIR", &self.target)
            .env("DOCS_RS", "1")
            .env("CARGO_ENCODED_RUSTFLAGS", rustflags.join("\x1f"))
            .env("CARGO_ENCODED_RUSTDOCFLAGS", rustdocflags.join("\x1f"))
            .env_remove("RUST_BACKTRACE")
            .env_remove("RUSTFLAGS")
            .env_remove("RUSTDOCFLAGS")
            .env_remove("RUSTC_WORKSPACE_WRAPPER")
            .env_remove(rustdoc::DOCUMENT_VARIABLE);
        // Every build has the same wrapper (one compiled unit serves every build), and it
        // documents only when asked.
        if let Some(wrapper) = &self.wrapper {
            cargo.env("RUSTC_WRAPPER", wrapper);
            cargo.env(rustdoc::DOCUMENT_VARIABLE, if document { "1" } else { "0" });
        }
        let output = match cargo.output() {
            Ok(output) => output,
            Err(e) => return ran(Verdict::NotTried(format!("cargo could not be started: {e}"))),
        };
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        if output.status.success() {
            return Ran { verdict: Verdict::Built, stdout };
        }
        let stderr = String::from_utf8_lossy(&output.stderr);
        if stderr.contains("offline mode") || stderr.contains("failed to download") {
            return ran(Verdict::NotTried(
                "its dependencies are not all in cargo's local cache, and the build runs offline: run `cargo fetch` in the workspace, or add --online".into(),
            ));
        }
        let mut messages: Vec<String> = stdout
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter(|m| m["reason"] == "compiler-message")
            .filter_map(|m| error(&m["message"], strip))
            .collect();
        // A build script's failure, and cargo's own refusals, are not compiler messages.
        let from_cargo = stderr
            .lines()
            .skip_while(|line| !line.starts_with("error"))
            .filter(|line| !line.starts_with("warning:"))
            .map(strip)
            .collect::<Vec<_>>()
            .join("\n");
        if !from_cargo.trim().is_empty() {
            messages.push(from_cargo.trim_end().to_owned());
        }
        Ran { verdict: failed(&messages), stdout }
    }
}

/// What a cargo call came to: its verdict, and what it printed on standard output (its
/// JSON messages).
pub(super) struct Ran {
    pub verdict: Verdict,
    pub stdout: String,
}

/// One cargo call.
#[derive(Clone, Copy)]
pub(super) struct Invocation<'a> {
    pub command: &'a [&'a str],
    /// The manifest built: the crate's own, or the package it is built from (`root.rs`).
    pub manifest: &'a Path,
    /// After the command (`-p`, docs.rs's feature flags).
    pub args: &'a [String],
    /// Given to every compiler call, and to rustdoc (docs.rs's cfgs).
    pub rustflags: &'a [String],
    pub rustdocflags: &'a [String],
    /// Whether the wrapper documents the primary packages' libraries as they compile.
    pub document: bool,
    /// Whether cargo's messages are JSON (`--message-format json`; not for `cargo tree`).
    pub json: bool,
}

impl<'a> Invocation<'a> {
    pub fn new(command: &'a [&'a str], manifest: &'a Path) -> Self {
        Invocation {
            command,
            manifest,
            args: &[],
            rustflags: &[],
            rustdocflags: &[],
            document: false,
            json: true,
        }
    }
}

/// A compiler diagnostic (JSON) as shown, when it is an error.
pub(super) fn error(
    diagnostic: &serde_json::Value,
    strip: &dyn Fn(&str) -> String,
) -> Option<String> {
    let rendered = diagnostic["rendered"].as_str().filter(|_| diagnostic["level"] == "error")?;
    Some(strip(rendered.trim_end()))
}

/// A failure with these messages, cut to [`MAX_LINES`] lines.
pub(super) fn failed(messages: &[String]) -> Verdict {
    let mut lines: Vec<String> = messages.join("\n").lines().map(str::to_owned).collect();
    if lines.len() > MAX_LINES {
        let more = lines.len() - MAX_LINES;
        lines.truncate(MAX_LINES);
        lines.push(format!("… {more} more lines"));
    }
    Verdict::Failed(vec![lines.join("\n")])
}
