//! `report.json`, contract v1 (the README's "What it writes"): the machine-readable result of a run, and the
//! data every later stage (site, summary, terminal) reads from. Every text in it that comes
//! from the checkout, the registry or the settings (names, versions, paths, messages) is a
//! [`Shown`]: redacted, its hidden characters visible, in `report.json` as in every view
//! made from it. A `String` here is a hash, a path of the site, or the tool's own words.

use serde::Serialize;

use crate::base::format::slash_path;
use crate::base::shown::Shown;
use crate::checks::settings::{Level, Override};
use crate::checks::{Finding, Outcome, Severity};
use crate::package::files::ListMode;
use crate::package::lock_members::{LockMember, MemberFrom};
use crate::package::{Archive, Origin};
use crate::workspace::Member;
use crate::workspace::plan::PublishPlan;

pub const SCHEMA: &str = "cargo-readiness/report/v1";

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema: &'static str,
    pub tool: Tool,
    pub workspace: WorkspaceReport,
    /// Sorted by name.
    pub crates: Vec<CrateReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct WorkspaceReport {
    pub publish_order: Vec<Shown>,
    pub checks: Vec<CheckReport>,
    /// Added to v1: with `--online`, the registry asked and whether it answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registry: Option<RegistryStatus>,
    /// Added to v1: with `--online` on crates.io, how long its rate limits make publishing
    /// the plan.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub publish_time: Option<crate::registry::rate_limit::Estimate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Ready,
    Warnings,
    Blocked,
    Skipped,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Ready => "ready",
            Verdict::Warnings => "warnings",
            Verdict::Blocked => "blocked",
            Verdict::Skipped => "skipped",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CrateReport {
    /// The name as cargo knows it, to look the crate up by (the plan, the sign-offs, the
    /// registry): never shown, `name` is.
    #[serde(skip)]
    key: String,
    pub name: Shown,
    pub version: Shown,
    /// Relative to the workspace root.
    pub manifest_path: Shown,
    pub publish: bool,
    pub verdict: Verdict,
    pub fingerprint: String,
    pub archive: ArchiveReport,
    pub checks: Vec<CheckReport>,
    /// The crate's page, relative to the site root.
    pub page: String,
    /// The crate's preview card (1200×630 PNG), relative to the site root.
    pub card: Option<String>,
    /// The manifest's description (added to v1; empty when unset).
    pub description: Shown,
    /// `[package]` keys inherited from `[workspace.package]` (added to v1).
    pub inherited: Vec<Shown>,
    /// The manifest's keywords and license (added to v1; shown on the preview card).
    pub keywords: Vec<Shown>,
    pub license: Option<Shown>,
    /// Added to v1: the crate's standing in `readiness-signoff.toml` (`null` for a crate
    /// that is not published).
    pub signoff: Option<crate::review::signoff::SignoffReport>,
    /// Added to v1: with `--baseline`, the comparison with the crate at that revision.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<crate::review::baseline::Comparison>,
    /// Added to v1: with `--online`, what the registry holds of the crate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registry: Option<RegistryReport>,
    /// Added to v1: with `--online`, the comparison with the previous release's `.crate`
    /// (the shape of `baseline`; `version` is the release compared with).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_release: Option<crate::package::diff::Comparison>,
    /// Added to v1: with `--online` or `--baseline`, the version verdict: what changed
    /// since the version compared with that bears on the version number, the bump it
    /// needs, and the bump the manifest makes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub semver: Option<crate::review::bump::SemverReport>,
}

/// The registry asked with `--online`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegistryStatus {
    /// `crates.io`, or the registry's name.
    pub name: Shown,
    /// The index URL.
    pub index: Shown,
    /// Whether it answered; when it did not, every registry check is `not-checked`.
    pub reachable: bool,
    /// Why it could not be reached.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Shown>,
}

impl RegistryStatus {
    /// `None` when the registry was not asked.
    pub fn of(facts: &crate::registry::Facts) -> Option<RegistryStatus> {
        use crate::registry::State;
        let reason = match &facts.state {
            State::Off => return None,
            State::Online => None,
            State::Unreachable(why) => Some(Shown::new(why)),
        };
        Some(RegistryStatus {
            name: Shown::new(&facts.registry),
            index: Shown::new(facts.source.index.as_str()),
            reachable: reason.is_none(),
            reason,
        })
    }
}

/// What the registry holds of a crate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegistryReport {
    /// `crates.io`, or the registry's name.
    pub name: Shown,
    /// Versions published, yanked ones included (0: not published yet).
    pub releases: usize,
    pub yanked: usize,
    /// The highest version published.
    pub latest: Option<Shown>,
}

impl RegistryReport {
    /// `None` when the registry was not asked or did not say.
    pub fn of(facts: &crate::registry::Facts, name: &str) -> Option<RegistryReport> {
        let published = facts.lookup(name).ok()?;
        Some(RegistryReport {
            name: Shown::new(&facts.registry),
            releases: published.map_or(0, |p| p.releases.len()),
            yanked: published.map_or(0, |p| p.yanked()),
            latest: published.and_then(|p| p.highest()).map(|r| Shown::new(r.version.to_string())),
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ArchiveReport {
    pub files: Vec<FileReport>,
    pub file_count: usize,
    pub unpacked_size: u64,
    pub compressed_size: u64,
    /// `sha256:<hex>` of the `.crate`, the checksum the registry index will record; `null`
    /// unless every byte is known.
    pub checksum: Option<String>,
    /// Whether the whole `.crate` is byte for byte what cargo writes.
    pub exact: bool,
    /// Added to v1: why it is not exact (which generated file is estimated, and why).
    pub estimates: Vec<Shown>,
    /// Added to v1: lines of code of the packaged Rust sources (neither blank nor `//` only).
    pub rust_lines: u64,
    /// Added to v1: how cargo selects the files, `git` (index and ignore rules) or `walk`.
    pub selection: &'static str,
    /// Added to v1: what cargo would warn about while packaging.
    pub warnings: Vec<Shown>,
    /// Added to v1: the workspace members the packaged `Cargo.lock` lists, and where the
    /// release takes each from.
    pub lock_members: Vec<LockMemberReport>,
}

/// A workspace member in a packaged lock.
#[derive(Debug, Clone, Serialize)]
pub struct LockMemberReport {
    pub name: Shown,
    pub version: Shown,
    /// `registry`: crates.io already has this version, and the lock records the index's
    /// checksum; `archive`: not published yet, the lock records the checksum of this
    /// release's archive of it (the plan publishes it first); `unknown`: not known which,
    /// and the lock is an estimate.
    pub from: &'static str,
    /// `sha256:<hex>` the lock records for it, when known.
    pub checksum: Option<String>,
    /// As the page says it, e.g. `grep-matcher 0.1.9 from crates.io (cargo's index cache)`.
    pub summary: Shown,
}

impl LockMemberReport {
    fn of(member: &LockMember) -> LockMemberReport {
        let (name, version) = (&member.name, &member.version);
        let (from, summary) = match &member.from {
            MemberFrom::Registry { online, .. } => {
                let how = if *online { "asked in this run" } else { "cargo's index cache" };
                let newer = if member.version == member.workspace_version {
                    String::new()
                } else {
                    format!(
                        ", the newest release the requirements accept, not the workspace's {}",
                        member.workspace_version
                    )
                };
                ("registry", format!("{name} {version} from crates.io ({how}{newer})"))
            }
            MemberFrom::Archive { online } => {
                let how = if *online {
                    "crates.io said so in this run"
                } else {
                    "cargo's index cache has no such release"
                };
                (
                    "archive",
                    format!("{name} {version} from this release: not on crates.io yet ({how})"),
                )
            }
            MemberFrom::Unknown(why) => {
                ("unknown", format!("{name} {version}: not known whether crates.io has it ({why})"))
            }
        };
        LockMemberReport {
            name: Shown::new(name),
            version: Shown::new(version.to_string()),
            from,
            checksum: member.checksum.as_ref().map(|c| format!("sha256:{c}")),
            summary: Shown::new(summary),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    pub path: Shown,
    pub size: u64,
    pub origin: Origin,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub id: &'static str,
    pub severity: Severity,
    pub status: Status,
    pub message: Shown,
    pub help: Shown,
    /// The guide section, relative to the site root.
    pub guide: String,
    pub docs: &'static str,
    /// Added to v1: the check's title and scorecard group.
    pub title: &'static str,
    pub group: &'static str,
    /// Added to v1: the archive paths a failing check is about.
    pub files: Vec<Shown>,
    /// Added to v1: set when `[*.metadata.readiness]` changed this check's level; an
    /// allowed check (`level: "allow"`) never counts toward the verdict.
    #[serde(rename = "override", skip_serializing_if = "Option::is_none")]
    pub overridden: Option<LevelOverride>,
}

/// A configured level and where it was set (a manifest's path, from the checkout).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LevelOverride {
    pub level: Level,
    /// e.g. `[package.metadata.readiness] in crates/a/Cargo.toml`.
    pub source: Shown,
}

impl From<&Override> for LevelOverride {
    fn from(o: &Override) -> Self {
        LevelOverride { level: o.level, source: Shown::new(&o.source) }
    }
}

impl CheckReport {
    /// Failed, and not allowed by configuration.
    pub fn counts(&self) -> bool {
        self.status == Status::Fail
            && self.overridden.as_ref().is_none_or(|o| o.level != Level::Allow)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Pass,
    Fail,
    /// Added to v1: the check could not look (a registry check without `--online`, or
    /// with a registry that did not answer). Never counted.
    NotChecked,
}

/// Failing checks per severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub blockers: usize,
    pub warnings: usize,
    pub notes: usize,
}

/// What the review stage learned of a crate, beside its archive and its checks: computed
/// before the report is assembled.
#[derive(Debug, Default)]
pub struct CrateReview {
    pub signoff: Option<crate::review::signoff::SignoffReport>,
    pub baseline: Option<crate::review::baseline::Comparison>,
    pub registry: Option<RegistryReport>,
    pub previous_release: Option<crate::package::diff::Comparison>,
    pub semver: Option<crate::review::bump::SemverReport>,
    /// The findings of the checks that read the review (`Run::Review`), after the
    /// crate's own.
    pub findings: Vec<Finding>,
}

/// What the checks stage hands on for a crate: its archive as reported, its fingerprint and
/// its findings (the archive's bytes are gone by then).
#[derive(Debug)]
pub struct Checked {
    pub archive: ArchiveReport,
    pub fingerprint: String,
    pub findings: Vec<Finding>,
}

impl ArchiveReport {
    pub fn of(archive: &Archive) -> ArchiveReport {
        ArchiveReport {
            files: archive
                .files
                .iter()
                .map(|f| FileReport {
                    path: Shown::new(slash_path(&f.path)),
                    size: f.size,
                    origin: f.origin,
                })
                .collect(),
            file_count: archive.files.len(),
            unpacked_size: archive.unpacked_size,
            compressed_size: archive.compressed_size,
            checksum: archive.checksum.clone(),
            exact: archive.exact,
            estimates: archive.estimates.iter().map(Shown::new).collect(),
            rust_lines: archive.facts.rust_lines,
            selection: match archive.mode {
                ListMode::Git => "git",
                ListMode::Walk => "walk",
            },
            warnings: archive.warnings.iter().map(Shown::new).collect(),
            lock_members: archive.lock_members.iter().map(LockMemberReport::of).collect(),
        }
    }
}

impl Checked {
    pub fn of(archive: &Archive, findings: Vec<Finding>) -> Checked {
        Checked {
            archive: ArchiveReport::of(archive),
            fingerprint: archive.fingerprint.clone(),
            findings,
        }
    }
}

impl CrateReport {
    /// A crate's report, from the products of the stages before: its checks and its review.
    pub fn new(member: &Member, checked: Checked, review: CrateReview) -> Self {
        let Checked { archive, fingerprint, mut findings } = checked;
        let CrateReview { signoff, baseline, registry, previous_release, semver, findings: more } =
            review;
        findings.extend(more);
        let name = Shown::new(member.name());
        let mut report = CrateReport {
            key: member.name().to_owned(),
            version: Shown::new(member.package.version.to_string()),
            manifest_path: Shown::new(&member.manifest_rel),
            publish: member.publish,
            verdict: Verdict::Ready,
            fingerprint,
            archive,
            checks: findings.iter().map(CheckReport::from).collect(),
            page: format!("crates/{}/index.html", folder(&name)),
            card: None,
            description: Shown::new(member.package.description.as_deref().unwrap_or_default()),
            inherited: member.inherited.iter().map(Shown::new).collect(),
            keywords: member.package.keywords.iter().map(Shown::new).collect(),
            license: member.package.license.as_deref().map(Shown::new),
            signoff,
            baseline,
            registry,
            previous_release,
            semver,
            name,
        };
        report.verdict = report.compute_verdict();
        report.card = Some(report.card_file());
        report
    }

    /// The name as cargo knows it, to look the crate up by; show [`CrateReport::name`].
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The preview card's path, relative to the site root.
    pub fn card_file(&self) -> String {
        format!("crates/{}/card.png", folder(&self.name))
    }

    /// Where `--emit-crate` writes the archive, relative to the site root.
    pub fn crate_file(&self) -> String {
        let version = folder(&self.version);
        format!("crates/{0}/{0}-{version}.crate", folder(&self.name))
    }

    pub fn tally(&self) -> Tally {
        let mut tally = Tally::default();
        for check in self.checks.iter().filter(|c| c.counts()) {
            match check.severity {
                Severity::Blocker => tally.blockers += 1,
                Severity::Warning => tally.warnings += 1,
                Severity::Note => tally.notes += 1,
            }
        }
        tally
    }

    fn compute_verdict(&self) -> Verdict {
        let tally = self.tally();
        if !self.publish {
            Verdict::Skipped
        } else if tally.blockers > 0 {
            Verdict::Blocked
        } else if tally.warnings > 0 {
            Verdict::Warnings
        } else {
            Verdict::Ready
        }
    }
}

impl From<&Finding> for CheckReport {
    fn from(finding: &Finding) -> Self {
        let (status, message, help, files) = match &finding.outcome {
            Outcome::Pass(message) => (Status::Pass, message.clone(), String::new(), Vec::new()),
            Outcome::Fail { message, help, files, .. } => {
                (Status::Fail, message.clone(), help.clone(), files.clone())
            }
            Outcome::NotChecked(why) => {
                (Status::NotChecked, format!("Not checked: {why}."), String::new(), Vec::new())
            }
        };
        let check = finding.check;
        CheckReport {
            id: check.id,
            severity: finding.severity,
            status,
            message: Shown::new(message),
            help: Shown::new(help),
            guide: check.guide(),
            docs: check.docs,
            title: check.title,
            group: check.group.title(),
            files: files.iter().map(Shown::new).collect(),
            overridden: finding.overridden.as_ref().map(LevelOverride::from),
        }
    }
}

/// A name as a folder of the site: itself, unless redaction left characters a file name
/// should not hold (`[redacted: GitHub token]`), each then written `-`.
fn folder(name: &Shown) -> String {
    let safe = |c: char| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '+');
    name.as_str().chars().map(|c| if safe(c) { c } else { '-' }).collect()
}

/// What the review stage learned of the workspace as a whole.
#[derive(Debug, Default)]
pub struct WorkspaceReview {
    pub registry: Option<RegistryStatus>,
    pub publish_time: Option<crate::registry::rate_limit::Estimate>,
}

impl Report {
    pub fn new(
        mut crates: Vec<CrateReport>,
        plan: &PublishPlan,
        workspace: &[Finding],
        review: WorkspaceReview,
    ) -> Self {
        crates.sort_by(|a, b| a.name.cmp(&b.name));
        Report {
            schema: SCHEMA,
            tool: Tool { name: env!("CARGO_PKG_NAME"), version: env!("CARGO_PKG_VERSION") },
            workspace: WorkspaceReport {
                publish_order: plan.order.iter().chain(&plan.cycle).map(Shown::new).collect(),
                checks: workspace.iter().map(CheckReport::from).collect(),
                registry: review.registry,
                publish_time: review.publish_time,
            },
            crates,
        }
    }

    pub fn to_json(&self) -> String {
        let mut json = serde_json::to_string_pretty(self).expect("the report serializes");
        json.push('\n');
        json
    }
}
