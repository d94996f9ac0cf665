//! Checks on `[package.metadata.docs.rs]`, the settings docs.rs builds the documentation
//! with. crates.io accepts any of it; a mistake shows after the release, as a failed or
//! empty documentation build. What docs.rs reads, and how, follows its own metadata crate
//! (rust-lang/docs.rs, `crates/metadata/lib.rs`): the table is deserialized as a whole (a
//! value of the wrong type fails the build), unknown keys are ignored, `features` go to
//! cargo as `--features`, `rustc-args` and `rustdoc-args` become `build.rustflags` and
//! `build.rustdocflags`, one array element per argument.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use serde_json::Value;

use super::{Outcome, Subject};
use crate::base::format::plural;

/// The target triples rustc knows.
const TARGETS_TXT: &str = include_str!("../../data/rustc-targets.txt");

/// The keys docs.rs reads, and the type each must have.
const KEYS: &[(&str, Kind)] = &[
    ("features", Kind::Strings),
    ("all-features", Kind::Bool),
    ("no-default-features", Kind::Bool),
    ("default-target", Kind::String),
    ("targets", Kind::Strings),
    ("additional-targets", Kind::Strings),
    ("rustc-args", Kind::Strings),
    ("rustdoc-args", Kind::Strings),
    ("cargo-args", Kind::Strings),
    ("proc-macro", Kind::Bool),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Bool,
    String,
    Strings,
}

impl Kind {
    fn holds(self, value: &Value) -> bool {
        match self {
            Kind::Bool => value.is_boolean(),
            Kind::String => value.is_string(),
            Kind::Strings => {
                value.as_array().is_some_and(|items| items.iter().all(Value::is_string))
            }
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Bool => "true or false",
            Kind::String => "a string",
            Kind::Strings => "an array of strings",
        }
    }
}

fn targets() -> &'static BTreeSet<&'static str> {
    static TARGETS: OnceLock<BTreeSet<&'static str>> = OnceLock::new();
    TARGETS.get_or_init(|| {
        TARGETS_TXT
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
}

/// The crate's docs.rs table, if any.
fn table<'a>(s: &Subject<'a>) -> Option<&'a Value> {
    crate::workspace::manifest::docs_rs(&s.member.package.metadata)
}

/// The strings of `key`, when it holds an array of strings.
fn strings<'a>(table: &'a Value, key: &str) -> Vec<&'a str> {
    let items = table.get(key).and_then(Value::as_array);
    items.into_iter().flatten().filter_map(Value::as_str).collect()
}

fn none() -> Outcome {
    Outcome::Pass("No [package.metadata.docs.rs]: docs.rs builds the default features.".into())
}

pub fn metadata_invalid(s: &Subject) -> Outcome {
    let Some(table) = table(s) else { return none() };
    let Some(entries) = table.as_object() else {
        return Outcome::fail(
            "[package.metadata.docs.rs] is not a table, so docs.rs cannot read it and the documentation build fails.",
            "Write it as a table: [package.metadata.docs.rs] followed by its keys.",
        );
    };
    let mut unknown = Vec::new();
    let mut mistyped = Vec::new();
    for (key, value) in entries {
        match KEYS.iter().find(|(known, _)| known == key) {
            None => unknown.push(format!("`{key}`")),
            Some((_, kind)) if !kind.holds(value) => {
                mistyped.push(format!("`{key}` must be {}", kind.name()))
            }
            Some(_) => {}
        }
    }
    if unknown.is_empty() && mistyped.is_empty() {
        return Outcome::Pass(format!(
            "docs.rs reads each of its {}.",
            plural(entries.len(), "key")
        ));
    }
    let mut problems = Vec::new();
    if !mistyped.is_empty() {
        problems.push(format!(
            "docs.rs cannot read the table, so the documentation build fails: {}",
            mistyped.join(", ")
        ));
    }
    if !unknown.is_empty() {
        problems.push(format!(
            "docs.rs ignores {} it does not know: {}",
            if unknown.len() == 1 { "a key" } else { "keys" },
            unknown.join(", ")
        ));
    }
    Outcome::fail(
        format!("[package.metadata.docs.rs]: {}.", problems.join("; ")),
        "The keys docs.rs reads: features, all-features, no-default-features, default-target, targets, additional-targets, rustc-args, rustdoc-args, cargo-args (https://docs.rs/about/metadata).",
    )
}

pub fn feature_unknown(s: &Subject) -> Outcome {
    let Some(table) = table(s) else { return none() };
    let package = &s.member.package;
    let dependencies: BTreeSet<&str> =
        package.dependencies.iter().map(|d| d.rename.as_deref().unwrap_or(&d.name)).collect();
    // docs.rs joins the list with spaces; cargo splits `--features` on spaces and commas.
    let requested: Vec<&str> = strings(table, "features")
        .into_iter()
        .flat_map(|f| f.split([' ', ',']))
        .filter(|f| !f.is_empty())
        .collect();
    let unknown: Vec<String> = requested
        .iter()
        .filter(|feature| match feature.split_once('/') {
            Some((dependency, _)) => !dependencies.contains(dependency.trim_end_matches('?')),
            None => !package.features.contains_key(**feature),
        })
        .map(|f| format!("`{f}`"))
        .collect();
    if unknown.is_empty() {
        return Outcome::Pass(format!(
            "The crate defines each of the {} docs.rs enables.",
            plural(requested.len(), "feature")
        ));
    }
    Outcome::fail(
        format!(
            "docs.rs asks cargo for {} the crate does not define ({}): cargo refuses the build and the release gets no documentation.",
            if unknown.len() == 1 { "a feature" } else { "features" },
            unknown.join(", ")
        ),
        "List only features of [features] (or an optional dependency's name, or `dependency/feature`).",
    )
}

pub fn target_invalid(s: &Subject) -> Outcome {
    let Some(table) = table(s) else { return none() };
    let mut named: Vec<&str> = strings(table, "targets");
    named.extend(strings(table, "additional-targets"));
    named.extend(table.get("default-target").and_then(Value::as_str));
    let unknown: Vec<String> =
        named.iter().filter(|t| !targets().contains(*t)).map(|t| format!("`{t}`")).collect();
    if unknown.is_empty() {
        return Outcome::Pass(format!(
            "Each of the {} docs.rs is asked to build is a target rustc knows.",
            plural(named.len(), "target")
        ));
    }
    Outcome::fail(
        format!(
            "{} not a target rustc knows: {}; docs.rs cannot build there, and a default-target it cannot build leaves the crate's docs page empty.",
            if unknown.len() == 1 {
                "docs.rs is asked for a target that is"
            } else {
                "docs.rs is asked for targets that are"
            },
            unknown.join(", ")
        ),
        "Use a target triple from `rustc --print target-list`, such as x86_64-unknown-linux-gnu.",
    )
}

pub fn features_with_all_features(s: &Subject) -> Outcome {
    let Some(table) = table(s) else { return none() };
    let all = table.get("all-features").and_then(Value::as_bool) == Some(true);
    let features = strings(table, "features");
    if !all || features.is_empty() {
        return Outcome::Pass("all-features and features are not set together.".into());
    }
    Outcome::fail(
        format!(
            "all-features = true already enables every feature, so `features` ({}) says nothing; a reader of the manifest cannot tell which was meant.",
            features.join(", ")
        ),
        "Keep one: all-features = true, or the features list (with no-default-features if the defaults must stay off).",
    )
}

pub fn args_not_split(s: &Subject) -> Outcome {
    let Some(table) = table(s) else { return none() };
    let mut joined = Vec::new();
    for key in ["rustdoc-args", "rustc-args"] {
        for arg in strings(table, key) {
            if arg.starts_with('-') && arg.trim().contains(char::is_whitespace) {
                joined.push(format!("{key} `{arg}`"));
            }
        }
    }
    if joined.is_empty() {
        return Outcome::Pass(
            "Each argument is its own array element, as docs.rs passes them.".into(),
        );
    }
    Outcome::fail(
        format!(
            "docs.rs passes each array element as one argument, so {} reaches the compiler as one word with a space in it, which it refuses: {}.",
            if joined.len() == 1 { "this element" } else { "these elements" },
            joined.join(", ")
        ),
        "Split each option from its value: rustdoc-args = [\"--cfg\", \"docsrs\"].",
    )
}

pub fn doc_build_fails(s: &Subject) -> Outcome {
    use crate::build::Verdict;
    let skipped = match s.build_outcome.doc_skipped.as_slice() {
        [] => String::new(),
        keys => format!(
            " (not applied here: {}, which need docs.rs's nightly toolchain or its targets)",
            keys.join(", ")
        ),
    };
    match &s.build_outcome.doc {
        Verdict::NotRun if s.build_outcome.build == Verdict::NotRun => Outcome::NotChecked(
            "run with --build to build the documentation with the docs.rs settings".into(),
        ),
        Verdict::NotRun => Outcome::NotChecked("the crate itself does not build".into()),
        Verdict::NotTried(why) => Outcome::NotChecked(why.clone()),
        Verdict::Built => Outcome::Pass(format!(
            "cargo doc builds the documentation with the docs.rs settings{skipped}."
        )),
        Verdict::Failed(messages) => Outcome::fail(
            format!(
                "cargo doc fails with the docs.rs settings{skipped}, so docs.rs will have no documentation for this release:\n{}",
                messages.join("\n")
            ),
            "Fix the documentation build (broken intra-doc links under #![deny], a feature combination that does not compile), or the settings in [package.metadata.docs.rs].",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_target_list_is_rustcs() {
        assert!(targets().contains("x86_64-unknown-linux-gnu"));
        assert!(targets().contains("wasm32-unknown-unknown"));
        assert!(!targets().contains("x86_64-linux"));
        assert!(targets().len() > 200);
    }

    #[test]
    fn kinds() {
        assert!(Kind::Strings.holds(&serde_json::json!(["a"])));
        assert!(!Kind::Strings.holds(&serde_json::json!("a")));
        assert!(!Kind::Strings.holds(&serde_json::json!([1])));
        assert!(Kind::Bool.holds(&serde_json::json!(true)));
        assert!(!Kind::String.holds(&serde_json::json!(["x"])));
    }
}
