//! Throwaway git repositories: files written below a root and git run there, with no
//! system or user configuration and fixed dates, so commits are the same on every run.

use std::fs;
use std::path::Path;
use std::process::Command;

/// Writes `files` (path, text) below `root`, creating folders.
pub fn write(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let path = root.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
}

/// Runs git with `args` in `root`; panics with git's message when it fails. Returns what
/// git printed, trimmed.
pub fn git(root: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"])
        .args(["-c", "core.symlinks=true"])
        .args(args)
        .current_dir(root)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_COMMITTER_DATE", "2026-11-20T12:00:00Z")
        .env("GIT_AUTHOR_DATE", "2026-11-20T12:00:00Z")
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// `git init`, then every file added and committed as `message`; returns the commit.
pub fn init_and_commit(root: &Path, message: &str) -> String {
    git(root, &["init", "-q"]);
    commit(root, message)
}

/// Every change added and committed as `message`; returns the commit.
pub fn commit(root: &Path, message: &str) -> String {
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "--allow-empty", "-m", message]);
    git(root, &["rev-parse", "HEAD"])
}
