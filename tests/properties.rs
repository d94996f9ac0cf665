//! Properties over arbitrary input from a pull request: README Markdown and manifest text
//! never make the tool panic, render to the same bytes twice, and never let raw HTML
//! through; a git tree of any shape is written inside its checkout or refused. Case counts are small so CI stays fast; `PROPTEST_CASES=10000 cargo test
//! --test properties` searches harder.

use cargo_readiness::base::secrets;
use cargo_readiness::preview::readme::{self, RepoLinks};
use cargo_readiness::workspace::manifest;
use proptest::prelude::*;

/// The fuzz target `revision`'s trees and property, run here in CI.
#[path = "../fuzz/random_tree.rs"]
mod random_tree;

/// Markdown built from the constructs that nest, link, and embed HTML, in any order.
fn markdown() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("> ".to_owned()),
        Just("- ".to_owned()),
        Just("1. ".to_owned()),
        Just("    ".to_owned()),
        Just("\n".to_owned()),
        Just("\n\n".to_owned()),
        Just("```rust\n".to_owned()),
        Just("```".to_owned()),
        Just("[link](../x.md)".to_owned()),
        Just("![img](docs/a.png)".to_owned()),
        Just("[^1]".to_owned()),
        Just("[^1]: note\n".to_owned()),
        Just("<script>alert(1)</script>".to_owned()),
        Just("<img src=x onerror=alert(1)>".to_owned()),
        Just("<details><summary>s</summary>".to_owned()),
        Just("| a | b |\n|---|---|\n| c | d |\n".to_owned()),
        Just("*".to_owned()),
        Just("_".to_owned()),
        Just("`".to_owned()),
        Just("# ".to_owned()),
        "[a-zA-Z0-9 \\[\\]()<>!*_`#|:/.-]{0,12}",
    ];
    prop::collection::vec(token, 0..200).prop_map(|tokens| tokens.concat())
}

fn render(text: &str) -> readme::RenderedReadme {
    let links = RepoLinks { repository: Some("https://github.com/o/r"), path_in_repo: "crates/x" };
    readme::render_file("README.md", text, &links, &|_| None)
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn any_markdown_renders_the_same_twice_without_raw_html(text in markdown()) {
        let first = render(&text);
        let second = render(&text);
        prop_assert_eq!(&first, &second);
        // Every `<` left is a tag the sanitizer allowed; none carries a script (attribute
        // values are escaped text, so they are left out).
        let tags = regex::Regex::new("<[^>]*>").unwrap();
        let values = regex::Regex::new("\"[^\"]*\"").unwrap();
        for tag in tags.find_iter(&first.html) {
            let tag = values.replace_all(tag.as_str(), "\"\"").to_ascii_lowercase();
            prop_assert!(!tag.starts_with("<script") && !tag.contains("onerror"), "{}", tag);
        }
    }

    #[test]
    fn any_tree_is_written_inside_its_checkout_or_refused(
        recipe in prop::collection::vec(any::<u8>(), 0..96)
    ) {
        random_tree::check(&recipe);
    }

    #[test]
    fn any_text_renders(text in "\\PC{0,400}") {
        let _ = render(&text);
        let _ = readme::render_file("README.txt", &text, &RepoLinks { repository: None, path_in_repo: "" }, &|_| None);
    }

    #[test]
    fn any_manifest_text_parses_or_errors(text in "[a-z\\[\\]=\"{}., \n0-9-]{0,300}") {
        let _ = manifest::parse(&text);
    }

    #[test]
    fn any_manifest_table_parses_or_errors(
        keys in prop::collection::vec(
            prop_oneof![
                Just("name"), Just("version"), Just("edition"), Just("readme"),
                Just("build"), Just("workspace"), Just("license-file"), Just("autobins"),
            ],
            0..8,
        ),
        values in prop::collection::vec(
            prop_oneof![
                Just("\"x\"".to_owned()), Just("true".to_owned()), Just("false".to_owned()),
                Just("1".to_owned()), Just("[\"a\"]".to_owned()), Just("{ workspace = true }".to_owned()),
                "\"[a-z0-9./-]{0,10}\"",
            ],
            8,
        ),
    ) {
        let mut text = String::from("[package]\n");
        for (key, value) in keys.iter().zip(&values) {
            text.push_str(&format!("{key} = {value}\n"));
        }
        if let Ok(parsed) = manifest::parse(&text) {
            let root = std::env::temp_dir();
            let _ = manifest::WorkspaceManifest::new(&root, &parsed);
        }
    }

    #[test]
    fn redaction_is_stable(text in "\\PC{0,300}") {
        let once = secrets::redact(&text).into_owned();
        prop_assert_eq!(secrets::redact(&once).into_owned(), once.clone());
    }
}
