//! crates.io's category slugs, embedded at build time from crates.io's own
//! `categories.toml` (a copy lives in `data/`).

use std::collections::BTreeSet;
use std::sync::OnceLock;

const CATEGORIES_TOML: &str = include_str!("../../data/crates-io-categories.toml");

/// Every slug crates.io accepts: `parent` and `parent::child`.
pub fn slugs() -> &'static BTreeSet<String> {
    static SLUGS: OnceLock<BTreeSet<String>> = OnceLock::new();
    SLUGS.get_or_init(|| {
        let table: toml::Table =
            CATEGORIES_TOML.parse().expect("the embedded categories.toml is valid TOML (tested)");
        let mut slugs = BTreeSet::new();
        collect(&table, "", &mut slugs);
        slugs
    })
}

fn collect(table: &toml::Table, prefix: &str, slugs: &mut BTreeSet<String>) {
    for (slug, value) in table {
        let full = format!("{prefix}{slug}");
        if let Some(children) = value.get("categories").and_then(toml::Value::as_table) {
            collect(children, &format!("{full}::"), slugs);
        }
        slugs.insert(full);
    }
}

/// The closest known slug, to suggest a fix for an unknown one.
pub fn closest(unknown: &str) -> Option<&'static str> {
    let unknown = unknown.to_ascii_lowercase();
    slugs()
        .iter()
        .filter(|slug| {
            let last = slug.rsplit("::").next().unwrap_or(slug);
            last.contains(&unknown) || unknown.contains(last) || slug.replace("::", "-") == unknown
        })
        .min_by_key(|slug| slug.len().abs_diff(unknown.len()))
        .map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_categories_parse() {
        let slugs = slugs();
        assert!(slugs.len() > 50, "only {} slugs", slugs.len());
        assert!(slugs.contains("command-line-utilities"));
        assert!(slugs.contains("development-tools::cargo-plugins"));
        assert!(!slugs.contains("command-line"));
    }

    #[test]
    fn suggests_a_close_slug() {
        assert_eq!(closest("cargo-plugins"), Some("development-tools::cargo-plugins"));
    }
}
