//! `cargo readiness verify --published`: after `cargo publish`, whether what the registry
//! now serves for each selected crate is what was signed off. Where the archive the tool
//! builds is exact and signed off, the index's checksum must equal its checksum; otherwise
//! (or when the checksums differ) the `.crate` is downloaded and its fingerprint must be
//! one signed off for that version. What differs is listed against the checkout. Then the
//! registry's record of how the version was published: when it names a commit (crates.io's
//! trusted publishing), that commit must be one a sign-off of this content names.

use std::collections::BTreeSet;
use std::io::Write;

use anstyle::{AnsiColor, Style};

use crate::base::error::Error;
use crate::base::format::{plural, short_hash};
use crate::cli::{Cli, TrustArgs};
use crate::package::Archive;
use crate::package::diff::{ArchiveDiff, Side};
use crate::registry::publication::Publication;
use crate::registry::{Lookup, Registry};
use crate::review::signoff::allowed::RowState;

use super::lines::{terminal_text, write_diff};
use super::{Packaged, package_selected, stream};

/// What the registry serves for one crate, against its sign-off.
#[derive(Debug)]
pub enum Served {
    /// The index's checksum is that of the signed-off archive built here (of this
    /// fingerprint).
    SameChecksum { checksum: String, fingerprint: String },
    /// The downloaded `.crate` has a signed-off fingerprint.
    SameFingerprint { fingerprint: String },
    /// The downloaded `.crate` has another fingerprint: what differs from the checkout, and
    /// whether the checkout is itself the signed-off content.
    Differs { fingerprint: String, diff: Box<ArchiveDiff>, checkout_signed: bool },
    /// The registry does not have this version.
    Unpublished,
    /// No sign-off for this version, so there is nothing to hold the registry to.
    NotSignedOff,
    /// It could not be found out: why.
    Unknown(String),
}

#[derive(Debug)]
pub struct PublishedVerdict {
    pub name: String,
    pub version: String,
    pub served: Served,
    /// The release is yanked.
    pub yanked: bool,
    /// The sign-offs of this version that count (every one without `--allowed-signers`):
    /// the fingerprint and the commit each names.
    pub signed: Vec<(String, Option<String>)>,
    /// For served content that was signed off: how the registry says it was published.
    pub publication: Option<Result<Publication, String>>,
}

impl PublishedVerdict {
    pub fn matches(&self) -> bool {
        let served =
            matches!(self.served, Served::SameChecksum { .. } | Served::SameFingerprint { .. });
        served
            && match &self.publication {
                Some(Ok(Publication::Trusted { commit, .. })) => {
                    commit.is_none() || self.signed_commits().contains(&commit.as_deref())
                }
                Some(Err(_)) => false,
                _ => true,
            }
    }

    /// The fingerprint served, when it was signed off.
    fn served_fingerprint(&self) -> Option<&str> {
        match &self.served {
            Served::SameChecksum { fingerprint, .. } | Served::SameFingerprint { fingerprint } => {
                Some(fingerprint)
            }
            _ => None,
        }
    }

    /// The commits the sign-offs of the served content name.
    fn signed_commits(&self) -> Vec<Option<&str>> {
        let served = self.served_fingerprint();
        self.signed
            .iter()
            .filter(|(fingerprint, _)| Some(fingerprint.as_str()) == served)
            .map(|(_, commit)| commit.as_deref())
            .collect()
    }
}

/// Checks what the registry serves; the exit code is 0 when every crate matches its
/// sign-off, else 1.
pub fn run(cli: &Cli, trust: &TrustArgs) -> Result<i32, Error> {
    let (registry, verdicts) = verdicts(cli, trust)?;
    if !cli.quiet {
        let _ = write_verdicts(&mut stream(cli), &registry, &verdicts);
    }
    Ok(i32::from(!verdicts.iter().all(PublishedVerdict::matches)))
}

/// Every selected publishable crate against the registry, by name; and the registry's name.
pub fn verdicts(cli: &Cli, trust: &TrustArgs) -> Result<(String, Vec<PublishedVerdict>), Error> {
    let source = crate::registry::source::for_cli(cli, true)?.expect("asked for");
    let Packaged { workspace, judge, caches, archives } = package_selected(cli, trust)?;
    let registry = Registry::connect(source.clone(), &caches.registry)
        .map_err(|why| Error::Registry {
            flag: source.name.clone(),
            message: format!("could not be reached: {why}"),
        })?
        .revalidating();
    let names: BTreeSet<String> = archives.iter().map(|(n, _)| n.to_ascii_lowercase()).collect();
    let lookups = registry.look_up(names);
    let verdicts = registry.each(archives, |(name, archive)| {
        let version = workspace.member(&name).map(|m| m.package.version.clone());
        let version_text = version.as_ref().map(ToString::to_string).unwrap_or_default();
        let report = judge.report(&name, &version_text, "");
        let signed = report
            .rows
            .into_iter()
            .filter(|row| !report.checked || row.state == RowState::Verified)
            .map(|row| (row.fingerprint, row.commit))
            .collect();
        let mut verdict = PublishedVerdict {
            name: name.clone(),
            version: version_text,
            served: Served::NotSignedOff,
            yanked: false,
            signed,
            publication: None,
        };
        if verdict.signed.is_empty() {
            return verdict;
        }
        let release = match (lookups.get(&name.to_ascii_lowercase()), &version) {
            (Some(Lookup::Found(published)), Some(version)) => published.release(version),
            (Some(Lookup::Failed(why)), _) => {
                verdict.served = Served::Unknown(why.clone());
                return verdict;
            }
            _ => None,
        };
        let Some(release) = release else {
            verdict.served = Served::Unpublished;
            return verdict;
        };
        verdict.yanked = release.yanked;
        let signed: Vec<String> = verdict.signed.iter().map(|(f, _)| f.clone()).collect();
        verdict.served = match archive {
            Err(why) => Served::Unknown(format!("could not be packaged here: {why}")),
            Ok(archive) => served(&registry, &workspace, &name, release, &archive, &signed),
        };
        if verdict.served_fingerprint().is_some() {
            verdict.publication = Some(registry.publication(&name, &verdict.version));
        }
        verdict
    });
    let mut verdicts = verdicts;
    verdicts.sort_by(|a, b| a.name.cmp(&b.name));
    Ok((source.name, verdicts))
}

fn served(
    registry: &Registry,
    workspace: &crate::workspace::Workspace,
    name: &str,
    release: &crate::registry::index::Release,
    archive: &Archive,
    signed: &[String],
) -> Served {
    let checkout_signed = signed.contains(&archive.fingerprint);
    let checksum = format!("sha256:{}", crate::base::format::hex(&release.checksum));
    if archive.exact && checkout_signed && archive.checksum.as_deref() == Some(&checksum) {
        return Served::SameChecksum { checksum, fingerprint: archive.fingerprint.clone() };
    }
    match registry.published(workspace, name, release) {
        Err(why) => Served::Unknown(why),
        Ok((_, fingerprinted)) if signed.contains(&fingerprinted.fingerprint) => {
            Served::SameFingerprint { fingerprint: fingerprinted.fingerprint }
        }
        Ok((published, fingerprinted)) => Served::Differs {
            diff: Box::new(ArchiveDiff::between(
                &Side::of(archive),
                &published.side(fingerprinted.lock),
            )),
            fingerprint: fingerprinted.fingerprint,
            checkout_signed,
        },
    }
}

/// The lines `verify --published` prints, uncolored when `out` strips styles.
pub fn write_verdicts(
    out: &mut impl Write,
    registry: &str,
    verdicts: &[PublishedVerdict],
) -> std::io::Result<()> {
    let indent = " ".repeat(10);
    let registry = terminal_text(registry);
    for verdict in verdicts {
        let (label, color) = match &verdict.served {
            Served::SameChecksum { .. } | Served::SameFingerprint { .. } if !verdict.matches() => {
                ("differs", AnsiColor::Red)
            }
            Served::SameChecksum { .. } | Served::SameFingerprint { .. } => {
                ("served", AnsiColor::Green)
            }
            Served::Differs { .. } => ("differs", AnsiColor::Red),
            Served::Unpublished => ("missing", AnsiColor::Red),
            Served::NotSignedOff => ("unsigned", AnsiColor::Red),
            Served::Unknown(_) => ("error", AnsiColor::Red),
        };
        let style = Style::new().fg_color(Some(color.into())).bold();
        let name = terminal_text(&format!("{} {}", verdict.name, verdict.version));
        write!(out, "{style}{label:>9}{style:#} {name}  ")?;
        let yanked = if verdict.yanked { " (yanked)" } else { "" };
        match &verdict.served {
            Served::SameChecksum { checksum, .. } => writeln!(
                out,
                "{registry} serves the signed-off archive{yanked}, byte for byte (checksum {})",
                short_hash(checksum)
            )?,
            Served::SameFingerprint { fingerprint } => writeln!(
                out,
                "{registry} serves the signed-off content{yanked} (fingerprint {})",
                short_hash(fingerprint)
            )?,
            Served::Differs { fingerprint, diff, checkout_signed } => {
                writeln!(out, "{registry} serves content that was not signed off{yanked}")?;
                writeln!(out, "{indent}served:     {fingerprint}")?;
                for (signed, _) in &verdict.signed {
                    writeln!(out, "{indent}signed off: {signed}")?;
                }
                let against = match checkout_signed {
                    true => "the signed-off checkout",
                    false => "the checkout (itself not signed off)",
                };
                writeln!(out, "{indent}served, against {against}:")?;
                write_diff(out, &indent, diff)?;
            }
            Served::Unpublished => writeln!(out, "{registry} has no such version")?,
            Served::NotSignedOff => {
                writeln!(out, "no sign-off for this version, so nothing to hold {registry} to")?
            }
            Served::Unknown(why) => writeln!(out, "{}", terminal_text(why))?,
        }
        write_publication(out, &indent, &registry, verdict)?;
    }
    let matching = verdicts.iter().filter(|v| v.matches()).count();
    writeln!(
        out,
        "{:>9} {registry} serves what was signed off for {matching} of {}",
        "verify",
        plural(verdicts.len(), "crate")
    )
}

/// How the registry says the version was published, against the signed-off commits.
fn write_publication(
    out: &mut impl Write,
    indent: &str,
    registry: &str,
    verdict: &PublishedVerdict,
) -> std::io::Result<()> {
    let Some(publication) = &verdict.publication else { return Ok(()) };
    match publication {
        Err(why) => {
            writeln!(out, "{indent}how it was published could not be read: {}", terminal_text(why))
        }
        Ok(Publication::NoRecord) => writeln!(
            out,
            "{indent}{registry} has no record of how it was published, so its commit is not checked"
        ),
        Ok(Publication::Token { by }) => writeln!(
            out,
            "{indent}{registry} has no trusted-publishing record: it was published with an API token{}, so its commit is not checked",
            by.as_deref().map(|by| format!(" by {}", terminal_text(by))).unwrap_or_default()
        ),
        Ok(Publication::Trusted { provider, repository, commit }) => {
            let from = terminal_text(&format!("{provider} {repository}"));
            let Some(commit) = commit else {
                return writeln!(out, "{indent}published from {from}, which names no commit");
            };
            let commit = terminal_text(commit);
            let signed = verdict.signed_commits();
            if signed.contains(&Some(commit.as_str())) {
                return writeln!(
                    out,
                    "{indent}published from {from} at the signed-off commit {commit}"
                );
            }
            let names: Vec<String> =
                signed.iter().map(|c| c.map_or("no commit".to_owned(), terminal_text)).collect();
            writeln!(
                out,
                "{indent}published from {from} at commit {commit}, but the sign-off names {}",
                names.join(", ")
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What differs, a crate's name and a registry's error are printed with their tokens
    /// redacted.
    #[test]
    fn the_lines_show_no_token() {
        let token = format!("ghp_{}", "q7W2".repeat(9));
        let side = |file: &str, homepage: &str| Side {
            files: [(file.to_owned(), (1, [1; 32]))].into(),
            compressed_size: 0,
            manifest: format!("[package]\nhomepage = \"{homepage}\"\n").parse().unwrap(),
        };
        let checkout = side("src/lib.rs", "https://a.example/");
        let served = side(&format!("notes-{token}.txt"), &format!("https://a.example/?t={token}"));
        let diff = Box::new(ArchiveDiff::between(&checkout, &served));
        let verdict = |name: &str, served| PublishedVerdict {
            name: name.to_owned(),
            version: "1.0.0".into(),
            served,
            yanked: false,
            signed: vec![("sha256:2".into(), None)],
            publication: None,
        };
        let verdicts = [
            verdict(
                "victim",
                Served::Differs { fingerprint: "sha256:1".into(), diff, checkout_signed: true },
            ),
            verdict(&token, Served::Unknown(format!("the registry answered {token}"))),
        ];
        let mut out = Vec::new();
        write_verdicts(&mut out, "crates.io", &verdicts).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(!out.contains(&token), "{out}");
        for line in [
            "added    notes-[redacted: GitHub token].txt (1 B)",
            "manifest package.homepage: https://a.example/ → https://a.example/?t=[redacted: GitHub token]",
            "[redacted: GitHub token] 1.0.0  the registry answered [redacted: GitHub token]",
        ] {
            assert!(out.contains(line), "{line} in {out}");
        }
    }
}
