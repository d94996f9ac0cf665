//! Checks on the workspace as a whole.

use super::{Outcome, WorkspaceSubject};

pub fn publish_cycle(s: &WorkspaceSubject) -> Outcome {
    if s.plan.cycle.is_empty() {
        return Outcome::Pass("The publishable crates have a publish order.".into());
    }
    let cut = s.plan.cycle_edge.as_ref().map(|(from, to)| {
        format!(" Cut the dependency of {from} on {to} (make it a dev-dependency without a version, or move the shared code).")
    });
    Outcome::fail(
        format!(
            "These crates depend on each other in a cycle, so none of them can be published first: {}.",
            s.plan.cycle.join(", ")
        ),
        format!("Break the cycle.{}", cut.unwrap_or_default()),
    )
}

/// GitHub Actions workflows that run `cargo publish` with a registry token from secrets,
/// where Trusted Publishing needs none.
pub fn trusted_publishing(s: &WorkspaceSubject) -> Outcome {
    /// Far above any real workflow.
    const MAX_WORKFLOW: u64 = 1 << 20;
    let (root, confinement) = (&s.workspace.root, &s.workspace.confinement);
    let dir = root.join(".github/workflows");
    let mut long_lived = Vec::new();
    // Read through the repository's confinement: a workflow folder or file that links
    // outside (or to `/dev/zero`) is not read.
    let entries =
        confinement.resolve(root, &dir).ok().and_then(|real| std::fs::read_dir(real).ok());
    let Some(entries) = entries else {
        return Outcome::Pass("No GitHub Actions workflow publishes the crates.".into());
    };
    let mut paths: Vec<_> = entries.flatten().map(|e| dir.join(e.file_name())).collect();
    paths.sort();
    for path in paths {
        let Ok(real) = confinement.regular_file(root, &path) else { continue };
        let Ok(bytes) = crate::base::paths::read_bounded(&real, MAX_WORKFLOW) else { continue };
        let text = String::from_utf8_lossy(&bytes);
        let publishes = text.contains("cargo publish")
            || text.contains("cargo-release")
            || text.contains("release-plz");
        let token = text.contains("CARGO_REGISTRY_TOKEN") || text.contains("--token");
        let trusted = text.contains("crates-io-auth-action");
        if publishes && token && !trusted {
            long_lived.push(s.workspace.relative(&path));
        }
    }
    if long_lived.is_empty() {
        return Outcome::Pass("No workflow publishes with a long-lived token.".into());
    }
    Outcome::fail(
        format!("Workflows publish with a long-lived registry token: {}.", long_lived.join(", ")),
        "Use Trusted Publishing: configure the workflow on crates.io, add `id-token: write`, and get a short-lived token from rust-lang/crates-io-auth-action.",
    )
}
