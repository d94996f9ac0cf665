//! The checks stage. Checks are data: one [`CATALOGUE`] lists every check with its stable
//! id, group, default severity, title and upstream link; each check is a plain function
//! from what the earlier stages found to an [`Outcome`]. Checks never render.

pub mod gate;
pub mod settings;

mod archive;
mod bump;
mod categories;
mod dependencies;
mod docs_rs;
mod files;
mod metadata;
mod registry;
mod release;
mod workspace;

use serde::Serialize;

use crate::checks::settings::{Level, Limits, Override, Settings};
use crate::package::Archive;
use crate::preview::ReadmePreview;
use crate::workspace::plan::PublishPlan;
use crate::workspace::{Member, Workspace};

/// How bad a failing check is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// crates.io or cargo would refuse the crate.
    Blocker,
    /// The crate can be published, but something is likely wrong or missing.
    Warning,
    /// Worth knowing.
    Note,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Blocker => "blocker",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

/// The groups of the scorecard; each is one page of the guide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Group {
    Metadata,
    Dependencies,
    Archive,
    DocsRs,
    Registry,
    Semver,
    Workspace,
}

impl Group {
    pub const ALL: [Group; 7] = [
        Group::Metadata,
        Group::Dependencies,
        Group::Archive,
        Group::DocsRs,
        Group::Registry,
        Group::Semver,
        Group::Workspace,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Group::Metadata => "Metadata",
            Group::Dependencies => "Dependencies",
            Group::Archive => "Archive",
            Group::DocsRs => "docs.rs",
            Group::Registry => "Registry",
            Group::Semver => "Version number",
            Group::Workspace => "Workspace",
        }
    }

    /// The guide page that explains this group's checks, relative to the site root.
    pub fn guide_page(self) -> &'static str {
        match self {
            Group::Metadata => "guide/checks/metadata.html",
            Group::Dependencies => "guide/checks/dependencies.html",
            Group::Archive => "guide/checks/archive.html",
            Group::DocsRs => "guide/checks/docs-rs.html",
            Group::Registry => "guide/checks/registry.html",
            Group::Semver => "guide/checks/semver.html",
            Group::Workspace => "guide/checks/workspace.html",
        }
    }
}

/// What a crate check looks at: one crate after packaging, its workspace, and its
/// settings.
pub struct Subject<'a> {
    pub workspace: &'a Workspace,
    pub member: &'a Member,
    pub archive: &'a Archive,
    pub limits: &'a Limits,
    /// The packaged README, rendered as crates.io will.
    pub readme: Option<&'a ReadmePreview>,
    /// What the registry holds (`--online`), or why that is not known.
    pub registry: &'a crate::registry::Facts,
    /// The crate built from its archive (`--build`).
    pub build_outcome: &'a crate::build::BuildOutcome,
    /// What single files add to the compressed archive.
    pub deflated: &'a crate::package::archive::DeflatedSizes<'a>,
}

/// What a check of the review stage looks at: a crate, and what it was compared with.
pub struct ReviewSubject<'a> {
    pub member: &'a Member,
    /// The version verdict (see [`crate::review::bump`]), or why there is none.
    pub semver: Result<&'a crate::review::bump::SemverReport, &'a str>,
    /// With `--baseline`: the comparison with the crate's revision.
    pub baseline: Option<&'a crate::package::diff::Comparison>,
    /// Whether the revision compared with is a tag (a release), not a branch or a commit.
    pub tagged: bool,
    /// What the registry holds (with `--online`).
    pub registry: &'a crate::registry::Facts,
}

/// What a workspace check looks at.
pub struct WorkspaceSubject<'a> {
    pub workspace: &'a Workspace,
    /// The crates the run reports on.
    pub selected: &'a [&'a Member],
    pub plan: &'a PublishPlan,
}

/// The result of running one check on one subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The check passed; the sentence says what was seen.
    Pass(String),
    /// The check failed: the finding in one sentence, how to fix it, the archive files it
    /// is about (flagged in the archive tree), and the severity when what the check saw
    /// makes it more than the catalogue's (configuration still decides over both).
    Fail { message: String, help: String, files: Vec<String>, raised: Option<Severity> },
    /// The check could not look (the registry was not asked, or did not answer): why.
    /// Never a pass, and never counted.
    NotChecked(String),
}

impl Outcome {
    fn fail(message: impl Into<String>, help: impl Into<String>) -> Self {
        Outcome::Fail {
            message: message.into(),
            help: help.into(),
            files: Vec::new(),
            raised: None,
        }
    }

    /// The same failure, of `severity` (when given) rather than the check's.
    fn raised_to(mut self, severity: Option<Severity>) -> Self {
        if let Outcome::Fail { raised, .. } = &mut self {
            *raised = severity;
        }
        self
    }

    /// The same failure, about these archive paths.
    fn about(mut self, paths: Vec<String>) -> Self {
        if let Outcome::Fail { files, .. } = &mut self {
            *files = paths;
        }
        self
    }
}

/// How a check runs: once per crate, once per crate after the review stage compared it,
/// or once per workspace.
#[derive(Debug, Clone, Copy)]
pub enum Run {
    Crate(fn(&Subject) -> Outcome),
    Review(fn(&ReviewSubject) -> Outcome),
    Workspace(fn(&WorkspaceSubject) -> Outcome),
}

/// One check of the catalogue.
#[derive(Debug)]
pub struct Check {
    /// Stable kebab-case id; also the guide anchor.
    pub id: &'static str,
    pub group: Group,
    pub severity: Severity,
    pub title: &'static str,
    /// Upstream documentation.
    pub docs: &'static str,
    pub run: Run,
}

impl Check {
    /// Link to this check's guide section, relative to the site root.
    pub fn guide(&self) -> String {
        format!("{}#{}", self.group.guide_page(), self.id)
    }
}

const fn check(
    id: &'static str,
    group: Group,
    severity: Severity,
    title: &'static str,
    docs: &'static str,
    run: Run,
) -> Check {
    Check { id, group, severity, title, docs, run }
}

macro_rules! manifest {
    ($anchor:literal) => {
        concat!("https://doc.rust-lang.org/cargo/reference/manifest.html", $anchor)
    };
}

macro_rules! publishing {
    ($anchor:literal) => {
        concat!("https://doc.rust-lang.org/cargo/reference/publishing.html", $anchor)
    };
}

/// Every check, in the order the scorecard lists them.
#[rustfmt::skip]
pub static CATALOGUE: &[Check] = &[
    check("name-invalid", Group::Metadata, Severity::Blocker, "Crate name is not accepted by crates.io", manifest!("#the-name-field"), Run::Crate(metadata::name_invalid)),
    check("name-reserved", Group::Metadata, Severity::Blocker, "Crate name is reserved", manifest!("#the-name-field"), Run::Crate(metadata::name_reserved)),
    check("version-invalid", Group::Metadata, Severity::Blocker, "Version is not accepted by crates.io", manifest!("#the-version-field"), Run::Crate(metadata::version_invalid)),
    check("description-missing", Group::Metadata, Severity::Blocker, "Description is missing", manifest!("#the-description-field"), Run::Crate(metadata::description_missing)),
    check("description-too-long", Group::Metadata, Severity::Blocker, "Description is over 1000 bytes", manifest!("#the-description-field"), Run::Crate(metadata::description_too_long)),
    check("license-missing", Group::Metadata, Severity::Blocker, "No license or license-file", manifest!("#the-license-and-license-file-fields"), Run::Crate(metadata::license_missing)),
    check("license-invalid", Group::Metadata, Severity::Blocker, "License is not an SPDX expression crates.io accepts", "https://spdx.org/licenses/", Run::Crate(metadata::license_invalid)),
    check("license-file-not-found", Group::Metadata, Severity::Blocker, "license-file does not exist", manifest!("#the-license-and-license-file-fields"), Run::Crate(metadata::license_file_not_found)),
    check("readme-not-found", Group::Metadata, Severity::Blocker, "readme does not exist", manifest!("#the-readme-field"), Run::Crate(metadata::readme_not_found)),
    check("url-invalid", Group::Metadata, Severity::Blocker, "homepage, repository or documentation is not an http(s) URL", manifest!("#the-homepage-field"), Run::Crate(metadata::url_invalid)),
    check("keywords-too-many", Group::Metadata, Severity::Blocker, "More than 5 keywords", manifest!("#the-keywords-field"), Run::Crate(metadata::keywords_too_many)),
    check("keyword-invalid", Group::Metadata, Severity::Blocker, "Keyword is not accepted by crates.io", manifest!("#the-keywords-field"), Run::Crate(metadata::keyword_invalid)),
    check("categories-too-many", Group::Metadata, Severity::Blocker, "More than 5 categories", manifest!("#the-categories-field"), Run::Crate(metadata::categories_too_many)),
    check("category-unknown", Group::Metadata, Severity::Blocker, "Category is not a crates.io slug", "https://crates.io/category_slugs", Run::Crate(metadata::category_unknown)),
    check("rust-version-invalid", Group::Metadata, Severity::Blocker, "rust-version is not a version", manifest!("#the-rust-version-field"), Run::Crate(metadata::rust_version_invalid)),
    check("features-too-many", Group::Metadata, Severity::Blocker, "More features than crates.io accepts", "https://doc.rust-lang.org/cargo/reference/features.html", Run::Crate(metadata::features_too_many)),
    check("readme-too-large", Group::Metadata, Severity::Blocker, "README is over 1 MiB", manifest!("#the-readme-field"), Run::Crate(metadata::readme_too_large)),
    check("readme-not-utf8", Group::Metadata, Severity::Blocker, "README is not UTF-8", manifest!("#the-readme-field"), Run::Crate(metadata::readme_not_utf8)),
    check("readme-links-broken", Group::Metadata, Severity::Warning, "README links that break on crates.io", manifest!("#the-repository-field"), Run::Crate(metadata::readme_links_broken)),
    check("repository-missing", Group::Metadata, Severity::Warning, "No repository", manifest!("#the-repository-field"), Run::Crate(metadata::repository_missing)),
    check("keywords-missing", Group::Metadata, Severity::Warning, "No keywords", manifest!("#the-keywords-field"), Run::Crate(metadata::keywords_missing)),
    check("categories-missing", Group::Metadata, Severity::Warning, "No categories", manifest!("#the-categories-field"), Run::Crate(metadata::categories_missing)),
    check("readme-missing", Group::Metadata, Severity::Warning, "No README", manifest!("#the-readme-field"), Run::Crate(metadata::readme_missing)),
    check("rust-version-missing", Group::Metadata, Severity::Warning, "No rust-version", "https://doc.rust-lang.org/cargo/reference/rust-version.html", Run::Crate(metadata::rust_version_missing)),
    check("edition-missing", Group::Metadata, Severity::Warning, "Edition is not set", manifest!("#the-edition-field"), Run::Crate(metadata::edition_missing)),
    check("homepage-is-repository", Group::Metadata, Severity::Note, "homepage repeats repository", manifest!("#the-homepage-field"), Run::Crate(metadata::homepage_is_repository)),
    check("authors-set", Group::Metadata, Severity::Note, "authors is set (deprecated)", manifest!("#the-authors-field"), Run::Crate(metadata::authors_set)),
    check("version-not-bumped", Group::Metadata, Severity::Warning, "Changed since its release, same version", "https://doc.rust-lang.org/cargo/reference/semver.html", Run::Review(release::version_not_bumped)),
    check("version-prerelease", Group::Metadata, Severity::Note, "Pre-release version", "https://doc.rust-lang.org/cargo/reference/semver.html", Run::Crate(metadata::version_prerelease)),
    check("dependency-without-version", Group::Dependencies, Severity::Blocker, "A path or git dependency has no version", "https://doc.rust-lang.org/cargo/reference/specifying-dependencies.html#multiple-locations", Run::Crate(dependencies::without_version)),
    check("dependency-wildcard", Group::Dependencies, Severity::Blocker, "A wildcard version requirement", "https://doc.rust-lang.org/cargo/reference/specifying-dependencies.html", Run::Crate(dependencies::wildcard)),
    check("dependencies-too-many", Group::Dependencies, Severity::Blocker, "More than 500 dependencies", "https://doc.rust-lang.org/cargo/reference/specifying-dependencies.html", Run::Crate(dependencies::too_many)),
    check("dependency-unpublished-member", Group::Dependencies, Severity::Blocker, "Depends on a member that is never published", manifest!("#the-publish-field"), Run::Crate(dependencies::unpublished_member)),
    check("dependency-version-mismatch", Group::Dependencies, Severity::Blocker, "A member requirement its current version does not satisfy", "https://doc.rust-lang.org/cargo/reference/specifying-dependencies.html#multiple-locations", Run::Crate(dependencies::version_mismatch)),
    check("crate-too-large", Group::Archive, Severity::Blocker, "Compressed crate is over 10 MiB", "https://crates.io/policies", Run::Crate(archive::crate_too_large)),
    check("crate-large", Group::Archive, Severity::Warning, "Compressed crate is large", manifest!("#the-exclude-and-include-fields"), Run::Crate(archive::crate_large)),
    check("secret-in-archive", Group::Archive, Severity::Blocker, "A secret would be published", publishing!("#packaging-a-crate"), Run::Crate(archive::secret_in_archive)),
    check("secret-in-test-data", Group::Archive, Severity::Warning, "A private key in test or example data would be published", publishing!("#packaging-a-crate"), Run::Crate(archive::secret_in_test_data)),
    check("compile-input-missing", Group::Archive, Severity::Blocker, "A file the sources include is not packaged", "https://doc.rust-lang.org/cargo/commands/cargo-package.html#option-cargo-package---no-verify", Run::Crate(archive::compile_input_missing)),
    check("compile-input-missing-under-cfg", Group::Archive, Severity::Warning, "A file only some builds include is not packaged", "https://doc.rust-lang.org/cargo/reference/build-scripts.html#rustc-cfg", Run::Crate(archive::compile_input_missing_under_cfg)),
    check("crate-unpacked-too-large", Group::Archive, Severity::Blocker, "Unpacked crate is over 512 MiB", "https://crates.io/policies", Run::Crate(archive::unpacked_too_large)),
    check("upload-metadata-too-large", Group::Archive, Severity::Blocker, "Upload metadata is over 1 MiB", publishing!("#uploading-the-crate"), Run::Crate(archive::upload_metadata_too_large)),
    check("build-script-not-packaged", Group::Archive, Severity::Blocker, "cargo cannot publish without the build script", manifest!("#the-build-field"), Run::Crate(archive::build_script_not_packaged)),
    check("build-script-excluded", Group::Archive, Severity::Warning, "The build script is left out of the archive", manifest!("#the-exclude-and-include-fields"), Run::Crate(archive::build_script_excluded)),
    check("file-unreadable", Group::Archive, Severity::Blocker, "A packaged file cannot be read", manifest!("#the-exclude-and-include-fields"), Run::Crate(files::file_unreadable)),
    check("path-outside-repository", Group::Archive, Severity::Blocker, "A packaged path leads outside the repository", manifest!("#the-readme-field"), Run::Crate(files::path_outside_repository)),
    check("build-fails", Group::Archive, Severity::Blocker, "The packaged crate does not build", publishing!("#packaging-a-crate"), Run::Crate(archive::build_fails)),
    check("crate-not-checked", Group::Archive, Severity::Blocker, "The crate could not be checked", "https://doc.rust-lang.org/cargo/commands/cargo-package.html", Run::Crate(archive::checked)),
    check("file-name-invalid", Group::Archive, Severity::Blocker, "A file name cargo refuses", manifest!("#the-exclude-and-include-fields"), Run::Crate(files::file_name_invalid)),
    check("file-name-reserved", Group::Archive, Severity::Warning, "A file name Windows reserves", manifest!("#the-exclude-and-include-fields"), Run::Crate(files::file_name_reserved)),
    check("file-name-case-collision", Group::Archive, Severity::Warning, "Paths that differ only by case", manifest!("#the-exclude-and-include-fields"), Run::Crate(files::file_name_case_collision)),
    check("junk-file", Group::Archive, Severity::Warning, "Files that look like junk in a release", manifest!("#the-exclude-and-include-fields"), Run::Crate(files::junk_file)),
    check("large-file", Group::Archive, Severity::Warning, "Large files", manifest!("#the-exclude-and-include-fields"), Run::Crate(files::large_file)),
    check("dirty-files", Group::Archive, Severity::Note, "Packaged files differ from the last commit", "https://doc.rust-lang.org/cargo/commands/cargo-package.html#option-cargo-package---allow-dirty", Run::Crate(files::dirty_files)),
    check("docsrs-metadata-invalid", Group::DocsRs, Severity::Warning, "docs.rs cannot read a key of its table", "https://docs.rs/about/metadata", Run::Crate(docs_rs::metadata_invalid)),
    check("docsrs-feature-unknown", Group::DocsRs, Severity::Warning, "docs.rs enables a feature the crate lacks", "https://docs.rs/about/metadata", Run::Crate(docs_rs::feature_unknown)),
    check("docsrs-target-invalid", Group::DocsRs, Severity::Warning, "docs.rs is asked for an unknown target", "https://docs.rs/about/metadata", Run::Crate(docs_rs::target_invalid)),
    check("docsrs-features-with-all-features", Group::DocsRs, Severity::Warning, "features beside all-features", "https://docs.rs/about/metadata", Run::Crate(docs_rs::features_with_all_features)),
    check("docsrs-args-not-split", Group::DocsRs, Severity::Warning, "A compiler argument docs.rs passes as one word", "https://docs.rs/about/metadata", Run::Crate(docs_rs::args_not_split)),
    check("doc-build-fails", Group::DocsRs, Severity::Warning, "The documentation does not build", "https://docs.rs/about/builds", Run::Crate(docs_rs::doc_build_fails)),
    check("version-already-published", Group::Registry, Severity::Blocker, "This version is already published", publishing!("#publishing-a-new-version-of-an-existing-crate"), Run::Crate(registry::already_published)),
    check("name-taken", Group::Registry, Severity::Blocker, "The name is taken by another spelling", manifest!("#the-name-field"), Run::Crate(registry::name_taken)),
    check("dependency-unsatisfiable", Group::Registry, Severity::Blocker, "A requirement no published version meets", "https://doc.rust-lang.org/cargo/reference/specifying-dependencies.html", Run::Crate(registry::dependency_unsatisfiable)),
    check("version-not-greater", Group::Registry, Severity::Warning, "Version is not greater than the latest release", "https://doc.rust-lang.org/cargo/reference/semver.html", Run::Crate(registry::version_not_greater)),
    check("locked-version-yanked", Group::Registry, Severity::Warning, "The packaged lock pins a yanked version", "https://doc.rust-lang.org/cargo/commands/cargo-yank.html", Run::Crate(registry::locked_yanked)),
    check("version-skipped", Group::Registry, Severity::Note, "Version skips one after the previous release", "https://doc.rust-lang.org/cargo/reference/semver.html", Run::Crate(registry::version_skipped)),
    check("version-bump-too-small", Group::Semver, Severity::Blocker, "A change needs a larger version bump", "https://doc.rust-lang.org/cargo/reference/semver.html", Run::Review(bump::too_small)),
    check("version-bump-smaller-than-expected", Group::Semver, Severity::Warning, "A change is expected to take a larger version bump", "https://doc.rust-lang.org/cargo/reference/semver.html#change-categories", Run::Review(bump::smaller_than_expected)),
    check("version-bump-larger-than-needed", Group::Semver, Severity::Note, "The version bump is larger than the changes need", "https://semver.org/", Run::Review(bump::larger_than_needed)),
    check("publish-cycle", Group::Workspace, Severity::Blocker, "Members depend on each other in a cycle", publishing!("#before-publishing-a-new-crate"), Run::Workspace(workspace::publish_cycle)),
    check("trusted-publishing", Group::Workspace, Severity::Note, "CI publishes with a long-lived token", "https://crates.io/docs/trusted-publishing", Run::Workspace(workspace::trusted_publishing)),
];

/// A check's result.
#[derive(Debug, Clone)]
pub struct Finding {
    pub check: &'static Check,
    /// The check's severity after configuration.
    pub severity: Severity,
    pub outcome: Outcome,
    /// Set when configuration changed the check's level (or allowed it).
    pub overridden: Option<Override>,
}

impl Finding {
    fn new(
        check: &'static Check,
        outcome: Outcome,
        settings: &Settings,
        package: Option<&str>,
    ) -> Self {
        let overridden = settings.level(check.id, package);
        let severity = match overridden.as_ref().map(|o| o.level) {
            Some(Level::Blocker) => Severity::Blocker,
            Some(Level::Warning) => Severity::Warning,
            Some(Level::Note) => Severity::Note,
            Some(Level::Allow) | None => match &outcome {
                Outcome::Fail { raised: Some(raised), .. } => *raised,
                _ => check.severity,
            },
        };
        Finding { check, severity, outcome, overridden }
    }
}

/// Runs the crate checks of the catalogue on one crate.
pub fn run_crate(subject: &Subject, settings: &Settings) -> Vec<Finding> {
    let package = Some(subject.member.name());
    run_each(settings, package, |run| match run {
        Run::Crate(run) => Some(run(subject)),
        Run::Review(_) | Run::Workspace(_) => None,
    })
}

/// Runs the review checks of the catalogue on one crate the review stage compared.
pub fn run_review(subject: &ReviewSubject, settings: &Settings) -> Vec<Finding> {
    let package = Some(subject.member.name());
    run_each(settings, package, |run| match run {
        Run::Review(run) => Some(run(subject)),
        Run::Crate(_) | Run::Workspace(_) => None,
    })
}

/// The findings of the checks of the catalogue that `outcome` runs (those of one kind).
fn run_each(
    settings: &Settings,
    package: Option<&str>,
    outcome: impl Fn(Run) -> Option<Outcome>,
) -> Vec<Finding> {
    CATALOGUE
        .iter()
        .filter_map(|check| Some(Finding::new(check, outcome(check.run)?, settings, package)))
        .collect()
}

/// The findings of a crate whose package or checks stage failed (an I/O error, a panic):
/// the one blocker that says why. Its other checks have nothing to look at.
pub fn not_checked(package: &str, reason: &str, settings: &Settings) -> Vec<Finding> {
    let check = by_id("crate-not-checked").expect("the catalogue has crate-not-checked");
    let outcome = Outcome::fail(
        format!("The crate could not be checked: {reason}"),
        "Fix the problem named here and run again; the other crates are reported in full.",
    );
    vec![Finding::new(check, outcome, settings, Some(package))]
}

/// Runs the workspace checks of the catalogue.
pub fn run_workspace(subject: &WorkspaceSubject, settings: &Settings) -> Vec<Finding> {
    run_each(settings, None, |run| match run {
        Run::Workspace(run) => Some(run(subject)),
        Run::Crate(_) | Run::Review(_) => None,
    })
}

pub fn by_id(id: &str) -> Option<&'static Check> {
    CATALOGUE.iter().find(|c| c.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_kebab_case() {
        let mut seen = std::collections::BTreeSet::new();
        for check in CATALOGUE {
            assert!(seen.insert(check.id), "duplicate id {}", check.id);
            assert!(
                check.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{} is not kebab-case",
                check.id
            );
            assert!(check.docs.starts_with("https://"), "{} has no upstream link", check.id);
        }
    }
}

#[cfg(test)]
mod guide_tests {
    use super::*;
    use crate::site::guide;

    /// The catalogue and the guide stay in step: every check has its section on its
    /// group's page, and every section of the check pages belongs to a check.
    #[test]
    fn every_check_has_a_guide_section_and_no_section_is_orphaned() {
        let chapters = guide::chapters();
        let anchors_of = |page: &str| -> Vec<String> {
            let chapter = chapters
                .iter()
                .find(|c| c.href() == page)
                .unwrap_or_else(|| panic!("{page} is not in content/SUMMARY.md"));
            guide::anchors(chapter.markdown())
        };
        for check in CATALOGUE {
            let anchors = anchors_of(check.group.guide_page());
            assert!(
                anchors.iter().any(|a| a == check.id),
                "{} has no `{{#{}}}` section in {}",
                check.id,
                check.id,
                check.group.guide_page()
            );
        }
        for group in Group::ALL {
            for anchor in anchors_of(group.guide_page()) {
                assert!(
                    CATALOGUE.iter().any(|c| c.id == anchor && c.group == group),
                    "{}#{anchor} documents no check of that group",
                    group.guide_page()
                );
            }
        }
    }
}
