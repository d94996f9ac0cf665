//! Checks on the `[package]` metadata, with crates.io's and cargo's exact rules.

use super::{Outcome, Subject, categories};

/// crates.io's limit on the description, in bytes.
const MAX_DESCRIPTION_BYTES: usize = 1000;
const MAX_KEYWORDS: usize = 5;
const MAX_KEYWORD_BYTES: usize = 20;
const MAX_CATEGORIES: usize = 5;

fn description<'a>(s: &Subject<'a>) -> Option<&'a str> {
    s.member.package.description.as_deref().filter(|d| !d.trim().is_empty())
}

pub fn description_missing(s: &Subject) -> Outcome {
    match description(s) {
        Some(d) => Outcome::Pass(format!("The description is set ({} bytes).", d.len())),
        None => Outcome::fail(
            "The manifest has no description; cargo publish and crates.io refuse the crate.",
            "Add one sentence that says what the crate does: description = \"…\" in [package].",
        ),
    }
}

pub fn description_too_long(s: &Subject) -> Outcome {
    let Some(d) = description(s) else {
        return Outcome::Pass("There is no description to measure.".into());
    };
    if d.len() <= MAX_DESCRIPTION_BYTES {
        Outcome::Pass(format!("The description is {} of at most 1000 bytes.", d.len()))
    } else {
        Outcome::fail(
            format!("The description is {} bytes; crates.io accepts at most 1000.", d.len()),
            "Shorten the description to one or two sentences; put the rest in the README.",
        )
    }
}

pub fn license_missing(s: &Subject) -> Outcome {
    let p = &s.member.package;
    let license = p.license.as_deref().filter(|l| !l.trim().is_empty());
    let file = p.license_file.as_ref().filter(|f| !f.as_str().is_empty());
    match (license, file) {
        (Some(l), _) => Outcome::Pass(format!("The license is {l}.")),
        (None, Some(f)) => Outcome::Pass(format!("The license is in {f}.")),
        (None, None) => Outcome::fail(
            "Neither license nor license-file is set; crates.io refuses the crate.",
            "Name the license as an SPDX expression: license = \"MIT OR Apache-2.0\" in [package].",
        ),
    }
}

pub fn license_file_not_found(s: &Subject) -> Outcome {
    let Some(file) = s.member.package.license_file.as_ref() else {
        return Outcome::Pass("No license-file is configured.".into());
    };
    if s.member.root.join(file.as_std_path()).is_file() {
        Outcome::Pass(format!("license-file {file} exists."))
    } else {
        Outcome::fail(
            format!("license-file = \"{file}\" does not exist; cargo package fails."),
            "Add the file, or point license-file at the license text that exists.",
        )
    }
}

pub fn readme_not_found(s: &Subject) -> Outcome {
    let Some(readme) = s.member.package.readme.as_ref() else {
        return Outcome::Pass("No readme is configured.".into());
    };
    if s.member.root.join(readme.as_std_path()).is_file() {
        Outcome::Pass(format!("readme {readme} exists."))
    } else {
        Outcome::fail(
            format!("readme = \"{readme}\" does not exist; cargo package fails."),
            "Add the file, or set readme to the path of the README that exists.",
        )
    }
}

pub fn keywords_too_many(s: &Subject) -> Outcome {
    let n = s.member.package.keywords.len();
    if n <= MAX_KEYWORDS {
        Outcome::Pass(format!("{n} of at most 5 keywords."))
    } else {
        Outcome::fail(
            format!("There are {n} keywords; crates.io accepts at most 5."),
            "Keep the 5 words people would search for in keywords = [...].",
        )
    }
}

/// crates.io's keyword rule: 1–20 bytes, the first an ASCII letter or digit, the rest ASCII
/// letters, digits, `_`, `-` or `+`.
fn keyword_problem(keyword: &str) -> Option<&'static str> {
    let mut chars = keyword.chars();
    match chars.next() {
        None => Some("is empty"),
        Some(_) if keyword.len() > MAX_KEYWORD_BYTES => Some("is longer than 20 bytes"),
        Some(first) if !first.is_ascii_alphanumeric() => {
            Some("does not start with an ASCII letter or digit")
        }
        Some(_) if !chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+')) => {
            Some("has characters other than ASCII letters, digits, _, - and +")
        }
        Some(_) => None,
    }
}

pub fn keyword_invalid(s: &Subject) -> Outcome {
    let bad: Vec<String> = s
        .member
        .package
        .keywords
        .iter()
        .filter_map(|k| keyword_problem(k).map(|why| format!("\"{k}\" {why}")))
        .collect();
    if bad.is_empty() {
        Outcome::Pass("Every keyword is accepted by crates.io.".into())
    } else {
        Outcome::fail(
            format!("crates.io refuses these keywords: {}.", bad.join("; ")),
            "Use short ASCII words: letters, digits, _, - and +, starting with a letter or digit.",
        )
    }
}

pub fn categories_too_many(s: &Subject) -> Outcome {
    let n = s.member.package.categories.len();
    if n <= MAX_CATEGORIES {
        Outcome::Pass(format!("{n} of at most 5 categories."))
    } else {
        Outcome::fail(
            format!("There are {n} categories; crates.io accepts at most 5."),
            "Keep the 5 categories that fit best in categories = [...].",
        )
    }
}

pub fn category_unknown(s: &Subject) -> Outcome {
    let known = categories::slugs();
    let unknown: Vec<String> = s
        .member
        .package
        .categories
        .iter()
        .filter(|c| !known.contains(c.as_str()))
        .map(|c| match categories::closest(c) {
            Some(slug) => format!("\"{c}\" (did you mean \"{slug}\"?)"),
            None => format!("\"{c}\""),
        })
        .collect();
    if unknown.is_empty() {
        Outcome::Pass("Every category is a crates.io slug.".into())
    } else {
        Outcome::fail(
            format!("crates.io does not know these categories: {}.", unknown.join(", ")),
            "Use exact slugs from https://crates.io/category_slugs, e.g. categories = [\"command-line-utilities\"].",
        )
    }
}

pub fn repository_missing(s: &Subject) -> Outcome {
    match s.member.package.repository.as_deref().filter(|r| !r.is_empty()) {
        Some(r) => Outcome::Pass(format!("The repository is {r}.")),
        None => Outcome::fail(
            "No repository is set: readers cannot find the source, and crates.io cannot resolve relative README links.",
            "Add repository = \"https://github.com/OWNER/REPO\" to [package].",
        ),
    }
}

pub fn keywords_missing(s: &Subject) -> Outcome {
    if s.member.package.keywords.is_empty() {
        Outcome::fail(
            "No keywords are set, so crates.io search has only the name and description to go on.",
            "Add up to 5 search terms: keywords = [\"cli\", \"parser\"] in [package].",
        )
    } else {
        Outcome::Pass(format!("Keywords: {}.", s.member.package.keywords.join(", ")))
    }
}

pub fn categories_missing(s: &Subject) -> Outcome {
    if s.member.package.categories.is_empty() {
        Outcome::fail(
            "No categories are set, so the crate appears in no crates.io category listing.",
            "Add up to 5 slugs from https://crates.io/category_slugs: categories = [\"development-tools\"].",
        )
    } else {
        Outcome::Pass(format!("Categories: {}.", s.member.package.categories.join(", ")))
    }
}

pub fn readme_missing(s: &Subject) -> Outcome {
    match &s.member.package.readme {
        Some(readme) => Outcome::Pass(format!("The README is {readme}.")),
        None => Outcome::fail(
            "The crate has no README, so its crates.io page will be empty.",
            "Add a README.md next to Cargo.toml (cargo finds it), or set readme = \"path/to/README.md\".",
        ),
    }
}

/// crates.io's reserved names, compared lowercased with `-` read as `_`.
const RESERVED_NAMES: &[&str] = &[
    "alloc",
    "arena",
    "ast",
    "builtins",
    "collections",
    "compiler_builtins",
    "compiler_rt",
    "compiletest",
    "core",
    "coretest",
    "debug",
    "driver",
    "flate",
    "fmt_macros",
    "grammar",
    "graphviz",
    "macro",
    "macros",
    "proc_macro",
    "rbml",
    "rust_installer",
    "rustbook",
    "rustc",
    "rustc_back",
    "rustc_borrowck",
    "rustc_driver",
    "rustc_llvm",
    "rustc_resolve",
    "rustc_trans",
    "rustc_typeck",
    "rustdoc",
    "rustllvm",
    "rustuv",
    "serialize",
    "std",
    "syntax",
    "test",
    "unicode",
    "nul",
    "con",
    "prn",
    "aux",
];

const MAX_NAME_CHARS: usize = 64;
const MAX_VERSION_CHARS: usize = 150;
const MAX_FEATURES: usize = 300;

pub fn name_invalid(s: &Subject) -> Outcome {
    let name = s.member.name();
    let mut chars = name.chars();
    let problem = match chars.next() {
        None => Some("is empty"),
        Some(_) if name.chars().count() > MAX_NAME_CHARS => Some("is longer than 64 characters"),
        Some(first) if !first.is_ascii_alphabetic() => Some("does not start with an ASCII letter"),
        Some(_) if !chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') => {
            Some("has characters other than ASCII letters, digits, - and _")
        }
        Some(_) => None,
    };
    match problem {
        None => Outcome::Pass(format!("\"{name}\" is a valid crates.io name.")),
        Some(why) => Outcome::fail(
            format!("The name \"{name}\" {why}; crates.io refuses it."),
            "Rename the package: name = \"my-crate\" (ASCII letters, digits, - and _, starting with a letter, at most 64).",
        ),
    }
}

fn is_reserved(name: &str) -> bool {
    let normalized = name.to_ascii_lowercase().replace('-', "_");
    RESERVED_NAMES.contains(&normalized.as_str())
        || ((normalized.starts_with("com") || normalized.starts_with("lpt"))
            && normalized.len() == 4
            && normalized.as_bytes()[3].is_ascii_digit())
}

pub fn name_reserved(s: &Subject) -> Outcome {
    let name = s.member.name();
    if is_reserved(name) {
        Outcome::fail(
            format!(
                "\"{name}\" is a name crates.io reserves (Rust's own crates and Windows device names)."
            ),
            "Choose another name for the package.",
        )
    } else {
        Outcome::Pass(format!("\"{name}\" is not reserved."))
    }
}

pub fn version_invalid(s: &Subject) -> Outcome {
    let version = s.member.package.version.to_string();
    if version.len() > MAX_VERSION_CHARS {
        Outcome::fail(
            format!("The version is {} characters; crates.io accepts at most 150.", version.len()),
            "Shorten the pre-release and build metadata parts of the version.",
        )
    } else {
        Outcome::Pass(format!("{version} is valid semver."))
    }
}

/// crates.io's SPDX parsing: `/` as OR, a trailing `+`, deprecated ids; no imprecise names,
/// no unknown ids; ids are case-sensitive.
const CRATES_IO_SPDX: spdx::ParseMode = spdx::ParseMode {
    allow_slash_as_or_operator: true,
    allow_imprecise_license_names: false,
    allow_postfix_plus_on_gpl: true,
    allow_deprecated: true,
    allow_unknown: false,
};

pub fn license_invalid(s: &Subject) -> Outcome {
    let Some(license) = s.member.package.license.as_deref().filter(|l| !l.trim().is_empty()) else {
        return Outcome::Pass("No license expression to parse.".into());
    };
    match spdx::Expression::parse_mode(license, CRATES_IO_SPDX) {
        Ok(_) => Outcome::Pass(format!("\"{license}\" is a valid SPDX expression.")),
        Err(err) => Outcome::fail(
            format!(
                "crates.io refuses license = \"{license}\": {} (at \"{}\").",
                err.reason,
                license.get(err.span.clone()).unwrap_or(license)
            ),
            "Use SPDX identifiers from https://spdx.org/licenses/ joined by AND, OR or WITH, e.g. license = \"MIT OR Apache-2.0\"; or license-file for a custom license.",
        ),
    }
}

/// crates.io's URL rule: `http://` or `https://`, and a URL that parses with a host.
fn url_problem(value: &str) -> Option<&'static str> {
    if !(value.starts_with("http://") || value.starts_with("https://")) {
        return Some("does not start with http:// or https://");
    }
    match url::Url::parse(value) {
        Ok(url) if url.host_str().is_some_and(|h| !h.is_empty()) => None,
        Ok(_) => Some("has no host"),
        Err(_) => Some("is not a valid URL"),
    }
}

pub fn url_invalid(s: &Subject) -> Outcome {
    let p = &s.member.package;
    let fields = [
        ("homepage", &p.homepage),
        ("repository", &p.repository),
        ("documentation", &p.documentation),
    ];
    let bad: Vec<String> = fields
        .iter()
        .filter_map(|(key, value)| {
            let value = value.as_deref()?;
            url_problem(value).map(|why| format!("{key} = \"{value}\" {why}"))
        })
        .collect();
    if bad.is_empty() {
        Outcome::Pass("homepage, repository and documentation are http(s) URLs where set.".into())
    } else {
        Outcome::fail(
            format!("crates.io refuses {}.", bad.join("; ")),
            "Use full http(s) URLs, e.g. repository = \"https://github.com/OWNER/REPO\".",
        )
    }
}

pub fn rust_version_invalid(s: &Subject) -> Outcome {
    let Some(rust_version) = &s.member.rust_version else {
        return Outcome::Pass("No rust-version is set.".into());
    };
    let valid = !rust_version.is_empty()
        && rust_version.split('.').count() <= 3
        && rust_version
            .split('.')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()));
    if valid {
        Outcome::Pass(format!("rust-version {rust_version} is a plain version."))
    } else {
        Outcome::fail(
            format!("rust-version = \"{rust_version}\" is not digits and dots."),
            "Write the minimum Rust version as digits and dots: rust-version = \"1.85\".",
        )
    }
}

pub fn features_too_many(s: &Subject) -> Outcome {
    let features = &s.member.package.features;
    let crowded: Vec<String> = features
        .iter()
        .filter(|(_, enables)| enables.len() > MAX_FEATURES)
        .map(|(name, enables)| format!("{name} enables {}", enables.len()))
        .collect();
    if features.len() <= MAX_FEATURES && crowded.is_empty() {
        return Outcome::Pass(format!("{} of at most 300 features.", features.len()));
    }
    let mut problems = Vec::new();
    if features.len() > MAX_FEATURES {
        problems.push(format!("{} features", features.len()));
    }
    problems.extend(crowded);
    Outcome::fail(
        format!(
            "crates.io accepts at most 300 features, each enabling at most 300 items: {}.",
            problems.join(", ")
        ),
        "Merge or remove features.",
    )
}

pub fn rust_version_missing(s: &Subject) -> Outcome {
    match &s.member.rust_version {
        Some(v) => Outcome::Pass(format!("rust-version is {v}.")),
        None => Outcome::fail(
            "No rust-version is set, so users of older compilers get build errors instead of a clear message, and the resolver cannot pick compatible versions.",
            "Add the oldest Rust you test with: rust-version = \"1.85\" in [package].",
        ),
    }
}

pub fn edition_missing(s: &Subject) -> Outcome {
    if s.member.edition_set {
        Outcome::Pass(format!("The edition is {}.", s.member.package.edition))
    } else {
        Outcome::fail(
            "No edition is set, so the crate is compiled as Rust 2015.",
            "Set the edition you write: edition = \"2024\" in [package].",
        )
    }
}

pub fn homepage_is_repository(s: &Subject) -> Outcome {
    let p = &s.member.package;
    let same = matches!((&p.homepage, &p.repository), (Some(h), Some(r)) if h.trim_end_matches('/') == r.trim_end_matches('/'));
    if same {
        Outcome::fail(
            "homepage is the same as repository; crates.io shows the link twice.",
            "Remove homepage, or point it at the project's own site.",
        )
    } else {
        Outcome::Pass("homepage does not repeat repository.".into())
    }
}

pub fn authors_set(s: &Subject) -> Outcome {
    if s.member.package.authors.is_empty() {
        Outcome::Pass("authors is not set.".into())
    } else {
        Outcome::fail(
            "authors is set; the field is deprecated and crates.io no longer shows it.",
            "Remove authors from [package]; crate owners are managed on crates.io.",
        )
    }
}

pub fn version_prerelease(s: &Subject) -> Outcome {
    let version = &s.member.package.version;
    if version.pre.is_empty() {
        Outcome::Pass(format!("{version} is a release version."))
    } else {
        Outcome::fail(
            format!(
                "{version} is a pre-release: `cargo add` and `^` requirements skip it unless asked for it by name."
            ),
            "Intended for a pre-release? Nothing to do. Otherwise drop the -suffix.",
        )
    }
}

pub fn readme_too_large(s: &Subject) -> Outcome {
    match s.readme {
        Some(readme) if readme.size > crate::preview::readme::MAX_README => Outcome::fail(
            format!(
                "{} is {}; crates.io takes the README in its 1 MiB upload metadata and refuses more.",
                readme.file,
                crate::base::format::human_size(readme.size)
            ),
            "Shorten the README (move long material to the documentation or the repository), or point readme at a shorter file.",
        ),
        Some(readme) => Outcome::Pass(format!(
            "{} is {}.",
            readme.file,
            crate::base::format::human_size(readme.size)
        )),
        None => Outcome::Pass("There is no README to measure.".into()),
    }
}

pub fn readme_not_utf8(s: &Subject) -> Outcome {
    match s.readme {
        Some(readme) if !readme.utf8 => Outcome::fail(
            format!("{} is not UTF-8; cargo cannot send it to crates.io.", readme.file),
            "Save the README as UTF-8.",
        ),
        _ => Outcome::Pass("The README is UTF-8 text.".into()),
    }
}

pub fn readme_links_broken(s: &Subject) -> Outcome {
    let broken = s
        .readme
        .and_then(|r| r.rendered.as_ref())
        .map(|r| r.broken_links.as_slice())
        .unwrap_or_default();
    if broken.is_empty() {
        return Outcome::Pass(
            "Every relative link and image of the README works on crates.io.".into(),
        );
    }
    Outcome::fail(
        format!(
            "{} of the README will not work on crates.io: {}.",
            crate::base::format::plural(broken.len(), "relative link or image"),
            crate::preview::readme::describe(broken)
        ),
        "Set repository to the GitHub, GitLab or Bitbucket URL (crates.io rewrites relative links against it), make sure the targets are committed, or use absolute URLs.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_names() {
        assert!(is_reserved("std"));
        assert!(is_reserved("proc-macro"));
        assert!(is_reserved("Compiler-Builtins"));
        assert!(is_reserved("com1"));
        assert!(!is_reserved("stdx"));
        assert!(!is_reserved("serde"));
    }

    #[test]
    fn url_rules() {
        assert_eq!(url_problem("https://github.com/a/b"), None);
        assert!(url_problem("github.com/a/b").is_some());
        assert!(url_problem("git@github.com:a/b.git").is_some());
        assert!(url_problem("https://").is_some());
    }

    #[test]
    fn spdx_in_crates_io_mode() {
        let ok = |l: &str| spdx::Expression::parse_mode(l, CRATES_IO_SPDX).is_ok();
        assert!(ok("MIT OR Apache-2.0"));
        assert!(ok("MIT/Apache-2.0"));
        assert!(ok("GPL-3.0+"));
        assert!(ok("GPL-2.0"), "deprecated ids are allowed");
        assert!(ok("Apache-2.0 WITH LLVM-exception"));
        assert!(ok("LicenseRef-Proprietary"));
        assert!(!ok("mit"), "ids are case-sensitive");
        assert!(!ok("Apache 2"), "imprecise names are refused");
        assert!(!ok("My-License"), "unknown ids are refused");
    }

    #[test]
    fn keyword_rules() {
        assert_eq!(keyword_problem("cli"), None);
        assert_eq!(keyword_problem("c++"), None);
        assert_eq!(keyword_problem("no_std"), None);
        assert_eq!(keyword_problem("2d"), None);
        assert!(keyword_problem("").is_some());
        assert!(keyword_problem("-dash").is_some());
        assert!(keyword_problem("has space").is_some());
        assert!(keyword_problem("ünïcode").is_some());
        assert!(keyword_problem("abcdefghijklmnopqrstu").is_some()); // 21 bytes
        assert_eq!(keyword_problem("abcdefghijklmnopqrst"), None); // 20 bytes
    }
}
