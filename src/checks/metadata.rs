//! Checks on the `[package]` metadata, with crates.io's and cargo's exact rules.

use super::{Outcome, Subject, categories};

/// crates.io's limit on the description, in bytes.
const MAX_DESCRIPTION_BYTES: usize = 1000;
const MAX_KEYWORDS: usize = 5;
const MAX_KEYWORD_BYTES: usize = 20;
const MAX_CATEGORIES: usize = 5;

fn description<'a>(s: &Subject<'a>) -> Option<&'a str> {
    s.member
        .package
        .description
        .as_deref()
        .filter(|d| !d.trim().is_empty())
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
        Outcome::Pass(format!(
            "The description is {} of at most 1000 bytes.",
            d.len()
        ))
    } else {
        Outcome::fail(
            format!(
                "The description is {} bytes; crates.io accepts at most 1000.",
                d.len()
            ),
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
            format!(
                "crates.io does not know these categories: {}.",
                unknown.join(", ")
            ),
            "Use exact slugs from https://crates.io/category_slugs, e.g. categories = [\"command-line-utilities\"].",
        )
    }
}

pub fn repository_missing(s: &Subject) -> Outcome {
    match s
        .member
        .package
        .repository
        .as_deref()
        .filter(|r| !r.is_empty())
    {
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
        Outcome::Pass(format!(
            "Keywords: {}.",
            s.member.package.keywords.join(", ")
        ))
    }
}

pub fn categories_missing(s: &Subject) -> Outcome {
    if s.member.package.categories.is_empty() {
        Outcome::fail(
            "No categories are set, so the crate appears in no crates.io category listing.",
            "Add up to 5 slugs from https://crates.io/category_slugs: categories = [\"development-tools\"].",
        )
    } else {
        Outcome::Pass(format!(
            "Categories: {}.",
            s.member.package.categories.join(", ")
        ))
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

#[cfg(test)]
mod tests {
    use super::keyword_problem;

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
