//! View models: the only data templates see. Every link is relative to the site root;
//! templates prefix it with `page.root`. Every string here is plain text; templates
//! escape it (Tera autoescape is on for `.html`). Sizes come pre-formatted for humans and raw
//! for machines. Text that holds anything from the checkout (or the registry) is a
//! [`Shown`]; a `String` is the tool's own words, numbers and links.

use serde::Serialize;

use crate::base::shown::Shown;

/// What every page needs from its layout (`base.html`).
#[derive(Debug, Clone, Serialize)]
pub struct PageMeta {
    /// `<title>` text.
    pub title: Shown,
    /// One sentence for `<meta name="description">` and `og:description`.
    pub description: Shown,
    /// Relative prefix from this page to the site root: `""`, `"../"`, `"../../"`.
    pub root: String,
    /// The page's `og:image`: absolute with `--base-url`, else relative to this page.
    pub og_image: Option<String>,
    /// Absolute URL of this page, only when `--base-url` was given.
    pub canonical: Option<String>,
    /// Name of the workspace (its root folder's name), shown in the header.
    pub workspace: Shown,
    /// Version of cargo-readiness, shown in the footer.
    pub tool_version: String,
    /// Which navigation entry is current: `"index"`, `"crate"` or `"guide"`.
    pub section: String,
}

/// Blockers, warnings and notes that failed, per crate or per workspace.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Counts {
    pub blockers: usize,
    pub warnings: usize,
    pub notes: usize,
}

/// `index.html`.
#[derive(Debug, Clone, Serialize)]
pub struct IndexView {
    pub page: PageMeta,
    /// How many crates have each verdict.
    pub verdicts: VerdictTally,
    pub crates: Vec<CrateRow>,
    /// Publishable crates, dependencies first.
    pub publish_order: Vec<OrderStep>,
    /// Workspace-level checks that failed.
    pub workspace_checks: Vec<CheckRow>,
    /// Crates that cannot be ordered because of a dependency cycle.
    pub cycle: Vec<Shown>,
    /// With `--online`: the registry asked, as a line; empty otherwise.
    pub registry: Shown,
    /// With `--online` on crates.io: how long the rate limits make publishing the plan.
    pub publish_time: Option<PublishTimeView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PublishTimeView {
    /// The estimate as a sentence.
    pub sentence: String,
    /// The limits used and where they come from.
    pub basis: String,
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct VerdictTally {
    pub ready: usize,
    pub warnings: usize,
    pub blocked: usize,
    pub skipped: usize,
}

/// One line of the crate table on the index page.
#[derive(Debug, Clone, Serialize)]
pub struct CrateRow {
    pub name: Shown,
    pub version: Shown,
    /// `ready`, `warnings`, `blocked` or `skipped`.
    pub verdict: String,
    pub counts: Counts,
    pub description: Shown,
    pub file_count: usize,
    /// e.g. `"48.2 KiB"`.
    pub unpacked_size: String,
    pub compressed_size: String,
    /// Link to the crate page, relative to the site root: `crates/<name>/index.html`.
    pub page: String,
    /// Checks whose level the workspace's own configuration lowered below the catalogue's
    /// (a pull request must not quietly allow its own blocker), e.g.
    /// "secret-in-archive: blocker → allow, by [package.metadata.readiness] in a/Cargo.toml".
    pub lowered: Vec<Shown>,
}

/// One step of the publish plan.
#[derive(Debug, Clone, Serialize)]
pub struct OrderStep {
    /// 1-based.
    pub position: usize,
    pub name: Shown,
    pub version: Shown,
    pub verdict: String,
    /// Workspace members that must be published before this one.
    pub needs: Vec<Shown>,
    /// Workspace members that need this one.
    pub needed_by: Vec<Shown>,
    pub page: String,
}

/// `crates/<name>/index.html`.
#[derive(Debug, Clone, Serialize)]
pub struct CrateView {
    pub page: PageMeta,
    pub name: Shown,
    pub version: Shown,
    pub verdict: String,
    /// A sentence that explains the verdict, e.g. "crates.io would refuse this crate: 2 blockers".
    pub verdict_summary: String,
    pub counts: Counts,
    pub description: Shown,
    /// Relative to the workspace root, `/`-separated.
    pub manifest_path: Shown,
    /// `sha256:<hex>`.
    pub fingerprint: String,
    /// `sha256:<hex>` of the `.crate`, when every byte is known.
    pub checksum: Option<String>,
    /// Why the archive's bytes (and so its size) are partly estimated; empty when exact.
    pub estimates: Vec<Shown>,
    /// The preview card, relative to the site root.
    pub card: String,
    pub archive: ArchiveView,
    /// Failing checks, grouped, blockers first within a group (none for a crate that is
    /// not published).
    pub failing: Vec<CheckGroup>,
    /// For a crate that is not published: the checks that would fail if it were.
    pub not_published: Vec<CheckRow>,
    /// Passing checks and checks allowed by configuration (folded on the page).
    pub passing: Vec<CheckRow>,
    /// Checks that could not look (registry checks without `--online`), and why.
    pub not_checked: Vec<CheckRow>,
    /// `[package]` keys inherited from `[workspace.package]`.
    pub inherited: Vec<Shown>,
    /// The manifest as written and as published.
    pub manifest: Option<ManifestView>,
    /// The README as crates.io will show it.
    pub readme: Option<ReadmeView>,
    /// With `--emit-crate`: the `.crate` file, relative to the site root.
    pub crate_file: Option<String>,
    /// The sign-off: status, and the table to paste (`None` for a crate not published).
    pub signoff: Option<SignoffView>,
    /// With `--baseline`: what changed since the revision.
    pub baseline: Option<ChangesView>,
    /// With `--online`: what changed since the previous release on the registry.
    pub previous_release: Option<ChangesView>,
    /// With `--online` or `--baseline`: the version verdict.
    pub semver: Option<SemverView>,
    /// With `--online`: the crate on the registry, e.g. `12 releases on crates.io (1
    /// yanked), latest 1.4.0`, or `not on crates.io yet`.
    pub registry: Shown,
}

/// The version verdict: what changed since the version compared with that bears on the
/// version number.
#[derive(Debug, Clone, Serialize)]
pub struct SemverView {
    /// The verdict as a sentence: "Since 1.4.2: 2 breaking changes (…) — needs 2.0.0, the
    /// manifest says 1.5.0."
    pub summary: Shown,
    /// `short` (a required bump is missing), `expected` (a conventional one), or `fits`.
    pub status: String,
    pub changes: Vec<SemverChangeRow>,
    /// The guide's page of the version checks, relative to the site root.
    pub guide: String,
}

/// One change that bears on the version number.
#[derive(Debug, Clone, Serialize)]
pub struct SemverChangeRow {
    /// `breaking`, `minor`, or `possibly breaking` (an estimate).
    pub kind: String,
    /// The bump it asks for after the version compared with.
    pub bump: String,
    pub item: Shown,
    pub location: Shown,
    pub summary: Shown,
    /// The rule, upstream.
    pub docs: String,
}

/// A crate's sign-off.
#[derive(Debug, Clone, Serialize)]
pub struct SignoffView {
    /// `signed`, `incomplete`, `stale` or `missing`.
    pub status: String,
    /// The status as a sentence.
    pub summary: Shown,
    /// Every row of this version: who signed, with which key, and whether it verified.
    pub rows: Vec<SignerView>,
    /// With `--baseline`: some row was added or changed by the change under review.
    pub new_since_baseline: bool,
    /// Whether signatures were checked (`--allowed-signers`).
    pub checked: bool,
    /// The command that signs the crate off (`cargo readiness sign -p NAME`).
    pub command: Shown,
    /// The commit a signature made now would name, short.
    pub commit: Option<String>,
    /// `readiness-signoff.toml`.
    pub file: String,
}

/// One row of a crate's sign-off.
#[derive(Debug, Clone, Serialize)]
pub struct SignerView {
    pub reviewer: Shown,
    pub date: String,
    /// The state's id (`verified`, `unsigned`, `key-not-allowed`, …) and as words.
    pub state: String,
    pub label: String,
    /// `SHA256:…`, for a signed row.
    pub key: Option<String>,
    /// The row approves the content as it is now, and counts.
    pub current: bool,
    pub counts: bool,
    /// "added in this change".
    pub new_since_baseline: bool,
    pub detail: Shown,
}

/// What changed since an earlier state of the crate: a git revision (`--baseline`) or the
/// previous release (`--online`). One section shape for both.
#[derive(Debug, Clone, Serialize)]
pub struct ChangesView {
    /// The section's anchor: `baseline` or `previous-release`.
    pub id: String,
    /// What it is compared with, for the title: `v1.0.0`, `1.2.3 on crates.io`; empty when
    /// nothing was found to compare with.
    pub since: Shown,
    /// `new`, `changed`, `unchanged` or `not compared`.
    pub status: String,
    /// The comparison as a sentence.
    pub summary: Shown,
    /// Files added, removed and modified, by path.
    pub files: Vec<ChangedFile>,
    /// e.g. `+1.2 KiB`.
    pub compressed_delta: String,
    pub manifest: Vec<ManifestDiffRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChangedFile {
    /// `added`, `removed` or `modified`.
    pub change: String,
    pub path: Shown,
    /// e.g. `1.2 KiB`, or `1.2 KiB → 1.4 KiB` when modified.
    pub size: String,
}

/// One key of the published manifest that changed.
#[derive(Debug, Clone, Serialize)]
pub struct ManifestDiffRow {
    /// e.g. `dependency changed`.
    pub kind: String,
    pub key: Shown,
    /// Empty when absent.
    pub before: Shown,
    pub after: Shown,
    /// A removed feature: breaking for users who enabled it.
    pub breaking: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ArchiveView {
    pub file_count: usize,
    pub unpacked_size: String,
    pub compressed_size: String,
    /// Exact compressed size in bytes.
    pub compressed_bytes: u64,
    /// Share of the 10 MiB crates.io limit, e.g. `"0.4"` (percent, one decimal).
    pub limit_percent: String,
    /// The same share clamped to 0..=100, for a bar's width.
    pub limit_bar: f64,
    /// The root's children, in cargo's order (`PathBuf` order).
    pub tree: Vec<TreeNode>,
    /// The largest files (up to 5), largest first.
    pub largest: Vec<LargeFile>,
    /// How cargo selects the files, as a sentence.
    pub selection: String,
    /// What cargo would warn about while packaging.
    pub warnings: Vec<Shown>,
    /// Where the packaged lock takes each workspace member from, one sentence each
    /// (`grep-matcher 0.1.9 from crates.io (…)`).
    pub lock_members: Vec<Shown>,
}

/// A file or folder of the archive tree.
#[derive(Debug, Clone, Serialize)]
pub struct TreeNode {
    /// Last path component.
    pub name: Shown,
    /// Full path inside the package, `/`-separated.
    pub path: Shown,
    pub is_dir: bool,
    /// Bytes (for a folder: the sum of its files).
    pub size: u64,
    pub size_human: String,
    /// For files: `disk`, `generated` or `outside`. For folders: `disk`.
    pub origin: String,
    /// Number of files below a folder (0 for files).
    pub file_count: usize,
    /// Checks that flagged this file (or, for a folder, a file below it).
    pub flags: Vec<FileFlag>,
    /// Folders: whether `<details>` starts open (small trees or flagged content).
    pub open: bool,
    pub children: Vec<TreeNode>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileFlag {
    pub id: String,
    pub severity: String,
    /// Anchor of the check's row on the same page: `#check-<id>`.
    pub anchor: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct LargeFile {
    pub path: Shown,
    pub size_human: String,
    /// Share of the unpacked size, percent with one decimal.
    pub percent: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckGroup {
    /// e.g. `"Metadata"`, `"Archive"`.
    pub title: String,
    pub checks: Vec<CheckRow>,
}

/// One row of the scorecard.
#[derive(Debug, Clone, Serialize)]
pub struct CheckRow {
    pub id: String,
    /// The row's `id` attribute, unique on its page (`check-<id>` on a crate's page).
    pub anchor: String,
    pub title: Shown,
    /// `blocker`, `warning` or `note`.
    pub severity: String,
    /// `pass`, `fail`, or `allowed` (failed, but configuration allows it).
    pub status: String,
    /// The finding in one sentence.
    pub message: Shown,
    /// Tool output that follows the sentence (a compiler's messages), shown as written;
    /// empty for most findings.
    pub output: Shown,
    /// How to fix it (may be empty for passing checks).
    pub help: Shown,
    /// Link to the guide section, relative to the site root.
    pub guide: String,
    /// Upstream documentation (absolute URL).
    pub docs: String,
    /// Where configuration changed this check's level, as a sentence; empty when it did not.
    pub override_note: Shown,
}

/// A rendered guide page.
#[derive(Debug, Clone, Serialize)]
pub struct GuideView {
    pub page: PageMeta,
    /// The chapter's HTML (rendered from the project's own Markdown; trusted).
    pub content: String,
    /// The table of contents from `SUMMARY.md`.
    pub toc: Vec<TocEntry>,
    pub previous: Option<TocEntry>,
    pub next: Option<TocEntry>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TocEntry {
    pub title: String,
    /// Relative to the site root, e.g. `guide/checks/metadata.html`.
    pub href: String,
    /// Nesting level, 0 for top-level chapters.
    pub level: usize,
    pub current: bool,
}

/// The manifest preview.
#[derive(Debug, Clone, Serialize)]
pub struct ManifestView {
    /// `Cargo.toml.orig`, as text (redacted): the template highlights it with
    /// `{{ manifest.original_text | highlight(lang="toml") | safe }}`, so that an unchanged
    /// page is not highlighted again to tell that it is unchanged.
    pub original_text: Shown,
    /// The normalized `Cargo.toml` cargo publishes, as text.
    pub published_text: Shown,
    pub changes: Vec<ManifestChangeRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ManifestChangeRow {
    pub key: Shown,
    pub change: Shown,
}

/// The README preview.
#[derive(Debug, Clone, Serialize)]
pub struct ReadmeView {
    /// Its path inside the archive.
    pub file: Shown,
    /// Sanitized HTML (safe as it is), empty when it cannot be shown.
    pub html: String,
    /// Why it cannot be shown, when it cannot.
    pub unavailable: String,
}

/// `summary.md`: the report as a pull-request comment.
#[derive(Debug, Clone, Serialize)]
pub struct SummaryView {
    /// The overview (verdict counts, lowered levels, publish order).
    pub index: IndexView,
    /// The full report: its `index.html` (absolute with `--base-url`, else relative to the
    /// site), or the `--report-url`.
    pub report: String,
    pub crates: Vec<SummaryCrate>,
    /// Findings that several crates have, each listed once with their names.
    pub shared: Vec<SharedFinding>,
    /// Crates left out to stay under the comment limit.
    pub omitted_crates: usize,
    /// Whether anything was left out.
    pub cut: bool,
    /// Whether crates were compared with a baseline (a column for the change).
    pub baseline: bool,
    /// Whether crates were compared with their previous release (a column for it).
    pub previous_release: bool,
    /// Whether any crate has a version verdict (a list of them).
    pub semver: bool,
    /// With `--online`: the registry asked, as a line; empty otherwise.
    pub registry: Shown,
    /// With `--online` on crates.io: how long the rate limits make publishing the plan.
    pub publish_time: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SummaryCrate {
    pub name: Shown,
    pub version: Shown,
    pub verdict: String,
    /// Its blockers and warnings counted, e.g. `2 blockers, 1 warning`; empty when none.
    pub tally: String,
    /// The first 12 hex digits of the fingerprint.
    pub fingerprint: String,
    pub compressed_size: String,
    /// Against the baseline, e.g. `+1.2 KiB since v1.0.0`, `unchanged`, `new`.
    pub change: Shown,
    /// Against the previous release, e.g. `+1.2 KiB since 1.3.0`, `new`.
    pub release_change: Shown,
    /// Features removed (breaking), as `features.x removed since v1.0.0`.
    pub breaking: Vec<Shown>,
    /// The version verdict in one line; empty without a comparison.
    pub semver: Shown,
    /// e.g. `signed off by Ada on 2026-11-24`, `stale`, `missing`; empty when not published.
    pub signoff: Shown,
    /// The crate page; empty when pages are not linked (`--report-url`).
    pub page: String,
    /// Its blockers, then warnings, but those listed in [`SummaryView::shared`].
    pub findings: Vec<SummaryFinding>,
    /// How many of those it has, listed or cut.
    pub own_findings: usize,
    /// Findings left out to stay under the comment limit.
    pub omitted_findings: usize,
}

/// A finding several crates have, listed once.
#[derive(Debug, Clone, Serialize)]
pub struct SharedFinding {
    /// `blocker` or `warning`.
    pub severity: String,
    pub id: String,
    /// The check's title, e.g. `No categories`.
    pub title: String,
    /// The check's guide section; empty when pages are not linked.
    pub link: String,
    /// How many crates have it.
    pub count: usize,
    /// The first of them, by name.
    pub crates: Vec<Shown>,
    /// How many are not named.
    pub more: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct SummaryFinding {
    /// `blocker` or `warning`.
    pub severity: String,
    pub id: String,
    /// The check's row on the crate page (`…#check-<id>`); empty when pages are not linked.
    pub link: String,
    /// The finding in one sentence, cut to a few hundred characters.
    pub message: Shown,
}
