//! The checks stage. Checks are data: one [`CATALOGUE`] lists every check with its stable
//! id, group, default severity, title and upstream link; each check is a plain function
//! from what the earlier stages found to an [`Outcome`]. Checks never render.

mod archive;
mod categories;
mod files;
mod metadata;

use serde::Serialize;

use crate::package::Archive;
use crate::workspace::Member;

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
    Archive,
}

impl Group {
    pub fn title(self) -> &'static str {
        match self {
            Group::Metadata => "Metadata",
            Group::Archive => "Archive",
        }
    }

    /// The guide page that explains this group's checks, relative to the site root.
    pub fn guide_page(self) -> &'static str {
        match self {
            Group::Metadata => "guide/checks/metadata.html",
            Group::Archive => "guide/checks/archive.html",
        }
    }
}

/// What a check looks at: one crate, after packaging.
pub struct Subject<'a> {
    pub member: &'a Member,
    pub archive: &'a Archive,
}

/// The result of running one check on one subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The check passed; the sentence says what was seen.
    Pass(String),
    /// The check failed: the finding in one sentence, how to fix it, and the archive
    /// files it is about (flagged in the archive tree).
    Fail {
        message: String,
        help: String,
        files: Vec<String>,
    },
}

impl Outcome {
    fn fail(message: impl Into<String>, help: impl Into<String>) -> Self {
        Outcome::Fail {
            message: message.into(),
            help: help.into(),
            files: Vec::new(),
        }
    }

    /// The same failure, about these archive paths.
    fn about(mut self, paths: Vec<String>) -> Self {
        if let Outcome::Fail { files, .. } = &mut self {
            *files = paths;
        }
        self
    }
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
    pub run: fn(&Subject) -> Outcome,
}

impl Check {
    /// Link to this check's guide section, relative to the site root.
    pub fn guide(&self) -> String {
        format!("{}#{}", self.group.guide_page(), self.id)
    }
}

/// Every check, in the order the scorecard lists them.
pub static CATALOGUE: &[Check] = &[
    Check {
        id: "description-missing",
        group: Group::Metadata,
        severity: Severity::Blocker,
        title: "Description is missing",
        docs: "https://doc.rust-lang.org/cargo/reference/manifest.html#the-description-field",
        run: metadata::description_missing,
    },
    Check {
        id: "description-too-long",
        group: Group::Metadata,
        severity: Severity::Blocker,
        title: "Description is over 1000 bytes",
        docs: "https://doc.rust-lang.org/cargo/reference/manifest.html#the-description-field",
        run: metadata::description_too_long,
    },
    Check {
        id: "license-missing",
        group: Group::Metadata,
        severity: Severity::Blocker,
        title: "No license or license-file",
        docs: "https://doc.rust-lang.org/cargo/reference/manifest.html#the-license-and-license-file-fields",
        run: metadata::license_missing,
    },
    Check {
        id: "license-file-not-found",
        group: Group::Metadata,
        severity: Severity::Blocker,
        title: "license-file does not exist",
        docs: "https://doc.rust-lang.org/cargo/reference/manifest.html#the-license-and-license-file-fields",
        run: metadata::license_file_not_found,
    },
    Check {
        id: "readme-not-found",
        group: Group::Metadata,
        severity: Severity::Blocker,
        title: "readme does not exist",
        docs: "https://doc.rust-lang.org/cargo/reference/manifest.html#the-readme-field",
        run: metadata::readme_not_found,
    },
    Check {
        id: "keywords-too-many",
        group: Group::Metadata,
        severity: Severity::Blocker,
        title: "More than 5 keywords",
        docs: "https://doc.rust-lang.org/cargo/reference/manifest.html#the-keywords-field",
        run: metadata::keywords_too_many,
    },
    Check {
        id: "keyword-invalid",
        group: Group::Metadata,
        severity: Severity::Blocker,
        title: "Keyword is not accepted by crates.io",
        docs: "https://doc.rust-lang.org/cargo/reference/manifest.html#the-keywords-field",
        run: metadata::keyword_invalid,
    },
    Check {
        id: "categories-too-many",
        group: Group::Metadata,
        severity: Severity::Blocker,
        title: "More than 5 categories",
        docs: "https://doc.rust-lang.org/cargo/reference/manifest.html#the-categories-field",
        run: metadata::categories_too_many,
    },
    Check {
        id: "category-unknown",
        group: Group::Metadata,
        severity: Severity::Blocker,
        title: "Category is not a crates.io slug",
        docs: "https://crates.io/category_slugs",
        run: metadata::category_unknown,
    },
    Check {
        id: "repository-missing",
        group: Group::Metadata,
        severity: Severity::Warning,
        title: "No repository",
        docs: "https://doc.rust-lang.org/cargo/reference/manifest.html#the-repository-field",
        run: metadata::repository_missing,
    },
    Check {
        id: "keywords-missing",
        group: Group::Metadata,
        severity: Severity::Warning,
        title: "No keywords",
        docs: "https://doc.rust-lang.org/cargo/reference/manifest.html#the-keywords-field",
        run: metadata::keywords_missing,
    },
    Check {
        id: "categories-missing",
        group: Group::Metadata,
        severity: Severity::Warning,
        title: "No categories",
        docs: "https://doc.rust-lang.org/cargo/reference/manifest.html#the-categories-field",
        run: metadata::categories_missing,
    },
    Check {
        id: "readme-missing",
        group: Group::Metadata,
        severity: Severity::Warning,
        title: "No README",
        docs: "https://doc.rust-lang.org/cargo/reference/manifest.html#the-readme-field",
        run: metadata::readme_missing,
    },
    Check {
        id: "crate-too-large",
        group: Group::Archive,
        severity: Severity::Blocker,
        title: "Compressed crate is over 10 MiB",
        docs: "https://crates.io/policies",
        run: archive::crate_too_large,
    },
    Check {
        id: "crate-large",
        group: Group::Archive,
        severity: Severity::Warning,
        title: "Compressed crate is over 2 MiB",
        docs: "https://doc.rust-lang.org/cargo/reference/manifest.html#the-exclude-and-include-fields",
        run: archive::crate_large,
    },
    Check {
        id: "secret-in-archive",
        group: Group::Archive,
        severity: Severity::Blocker,
        title: "A secret would be published",
        docs: "https://doc.rust-lang.org/cargo/reference/publishing.html#packaging-a-crate",
        run: archive::secret_in_archive,
    },
    Check {
        id: "compile-input-missing",
        group: Group::Archive,
        severity: Severity::Blocker,
        title: "A file the sources include is not packaged",
        docs: "https://doc.rust-lang.org/cargo/commands/cargo-package.html#option-cargo-package---no-verify",
        run: archive::compile_input_missing,
    },
    Check {
        id: "build-script-not-packaged",
        group: Group::Archive,
        severity: Severity::Blocker,
        title: "The build script is not packaged",
        docs: "https://doc.rust-lang.org/cargo/reference/manifest.html#the-exclude-and-include-fields",
        run: archive::build_script_not_packaged,
    },
    Check {
        id: "file-name-invalid",
        group: Group::Archive,
        severity: Severity::Blocker,
        title: "A file name cargo refuses",
        docs: "https://doc.rust-lang.org/cargo/reference/manifest.html#the-exclude-and-include-fields",
        run: files::file_name_invalid,
    },
    Check {
        id: "file-name-reserved",
        group: Group::Archive,
        severity: Severity::Warning,
        title: "A file name Windows reserves",
        docs: "https://doc.rust-lang.org/cargo/reference/manifest.html#the-exclude-and-include-fields",
        run: files::file_name_reserved,
    },
    Check {
        id: "file-name-case-collision",
        group: Group::Archive,
        severity: Severity::Warning,
        title: "Paths that differ only by case",
        docs: "https://doc.rust-lang.org/cargo/reference/manifest.html#the-exclude-and-include-fields",
        run: files::file_name_case_collision,
    },
    Check {
        id: "junk-file",
        group: Group::Archive,
        severity: Severity::Warning,
        title: "Files that look like junk in a release",
        docs: "https://doc.rust-lang.org/cargo/reference/manifest.html#the-exclude-and-include-fields",
        run: files::junk_file,
    },
    Check {
        id: "large-file",
        group: Group::Archive,
        severity: Severity::Warning,
        title: "Large files",
        docs: "https://doc.rust-lang.org/cargo/reference/manifest.html#the-exclude-and-include-fields",
        run: files::large_file,
    },
];

/// A check's result for one crate.
#[derive(Debug, Clone)]
pub struct Finding {
    pub check: &'static Check,
    pub severity: Severity,
    pub outcome: Outcome,
}

impl Finding {
    pub fn failed(&self) -> bool {
        matches!(self.outcome, Outcome::Fail { .. })
    }
}

/// Runs the whole catalogue on one crate.
pub fn run(subject: &Subject) -> Vec<Finding> {
    CATALOGUE
        .iter()
        .map(|check| Finding {
            check,
            severity: check.severity,
            outcome: (check.run)(subject),
        })
        .collect()
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
                check
                    .id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{} is not kebab-case",
                check.id
            );
            assert!(
                check.docs.starts_with("https://"),
                "{} has no upstream link",
                check.id
            );
        }
    }
}
