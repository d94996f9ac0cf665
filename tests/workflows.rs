//! The CI workflows of the guide (`content/ci.md`) and the composite action (`action.yml`)
//! are valid YAML, and every `cargo readiness …` command line in them is one the CLI
//! accepts; and the build check is called `--build` everywhere, `verify` being the sign-off
//! check's word alone.

use std::path::{Path, PathBuf};

use cargo_readiness::cli::Cli;
use clap::{CommandFactory, Parser};
use serde_yaml::Value;

fn read(rel: &str) -> String {
    std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap()
}

/// The ```yaml blocks of a Markdown file.
fn yaml_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```yaml") => current = Some(String::new()),
            (Some(block), "```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

/// Every shell script of a workflow: `run:` values and `script:`/`before_script:` lists.
fn scripts(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Mapping(map) => {
            for (key, value) in map {
                match (key.as_str(), value) {
                    (Some("run"), Value::String(script)) => found.push(script.clone()),
                    (Some("script" | "before_script"), Value::Sequence(lines)) => {
                        found.extend(lines.iter().filter_map(|l| l.as_str().map(str::to_owned)))
                    }
                    _ => scripts(value, found),
                }
            }
        }
        Value::Sequence(items) => items.iter().for_each(|item| scripts(item, found)),
        _ => {}
    }
}

/// The arguments after `cargo readiness` on each command line of `script` (continuation
/// lines joined, `${{ … }}` expressions replaced by a word, stopped at a shell operator).
fn readiness_commands(script: &str) -> Vec<Vec<String>> {
    let joined = script.replace("\\\n", " ");
    let mut commands = Vec::new();
    for line in joined.lines() {
        let Some(at) = line.find("cargo readiness") else { continue };
        let mut text = line[at + "cargo readiness".len()..].to_owned();
        while let Some(start) = text.find("${{") {
            let end = text[start..].find("}}").map_or(text.len(), |e| start + e + 2);
            text.replace_range(start..end, "expression");
        }
        let words = shlex::split(&text).unwrap_or_else(|| panic!("not shell words: {line}"));
        let words: Vec<String> = words
            .into_iter()
            .take_while(|w| !matches!(w.as_str(), "||" | "&&" | "|" | ";" | ">" | ">>"))
            .collect();
        commands.push(words);
    }
    commands
}

#[test]
fn every_workflow_of_the_guide_parses_and_its_commands_are_accepted() {
    let guide = read("content/ci.md");
    let blocks = yaml_blocks(&guide);
    assert!(blocks.len() >= 5, "the guide's workflows: {}", blocks.len());
    let mut checked = 0;
    for block in &blocks {
        let value: Value =
            serde_yaml::from_str(block).unwrap_or_else(|e| panic!("invalid YAML ({e}):\n{block}"));
        let mut found = Vec::new();
        scripts(&value, &mut found);
        for script in found {
            for args in readiness_commands(&script) {
                let argv = std::iter::once("cargo-readiness".to_owned()).chain(args.clone());
                if let Err(error) = Cli::try_parse_from(argv) {
                    panic!("`cargo readiness {}` is refused: {error}", args.join(" "));
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= 6, "only {checked} cargo readiness commands found");
}

#[test]
fn the_action_is_composite_and_passes_only_flags_the_cli_has() {
    let action: Value = serde_yaml::from_str(&read("action.yml")).unwrap();
    assert_eq!(action["runs"]["using"], "composite");
    let flags: Vec<String> = Cli::command()
        .get_arguments()
        .filter_map(|a| a.get_long().map(|l| format!("--{l}")))
        .collect();
    let mut found = Vec::new();
    scripts(&action, &mut found);
    let report = found.iter().find(|s| s.contains("cargo readiness \"${args[@]}\"")).unwrap();
    let mut passed = 0;
    for word in report.split(|c: char| c.is_whitespace() || c == '(' || c == ')') {
        if word.starts_with("--") {
            assert!(flags.contains(&word.to_owned()), "action.yml passes unknown flag {word}");
            passed += 1;
        }
    }
    assert!(passed >= 8, "{passed} flags");
    // Each input is documented in the guide and reaches the scripts through env.
    let guide = read("content/ci.md");
    let inputs = action["inputs"].as_mapping().unwrap();
    for (name, _) in inputs {
        let name = name.as_str().unwrap();
        assert!(guide.contains(&format!("`{name}`")), "the guide does not name input {name}");
    }
    let text = read("action.yml");
    for line in text.lines().filter(|l| l.contains("${{ inputs.")) {
        let key = line.trim_start();
        assert!(
            !key.starts_with("run:") && !key.starts_with("cargo"),
            "inputs must reach scripts through env, not be pasted in: {line}"
        );
    }
}

/// Every text file of the repository, by its path from the root, but the tests' (which spell
/// what the CLI must refuse) and what git ignores (`target/`).
fn repository_texts() -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    ignore::WalkBuilder::new(root)
        .hidden(false)
        .filter_entry(move |entry| {
            let path = entry.path().strip_prefix(root).unwrap_or(entry.path());
            !matches!(path.to_str(), Some(".git" | "tests" | "target"))
        })
        .build()
        .map(|entry| entry.unwrap().into_path())
        .filter_map(|path| {
            let text = std::fs::read_to_string(&path).ok()?;
            Some((path.strip_prefix(root).unwrap().to_path_buf(), text))
        })
        .collect()
}

/// One word, one meaning (issue 25): the build check is `--build`, and `verify` is the
/// sign-off subcommand alone. The old flag is refused (no alias), named nowhere outside the
/// tests, and the build check's code (`src/build/`, comments aside, which may speak of
/// cargo's own verification) names nothing after verification.
#[test]
fn the_build_check_is_build_and_verify_is_the_sign_off_check_alone() {
    assert!(Cli::try_parse_from(["cargo-readiness", "--build"]).unwrap().build);
    let old = Cli::try_parse_from(["cargo-readiness", "--verify"]).unwrap_err();
    assert_eq!(old.kind(), clap::error::ErrorKind::UnknownArgument);

    let texts = repository_texts();
    assert!(texts.iter().any(|(path, _)| path == Path::new("src/build/mod.rs")));
    let mut found = Vec::new();
    for (path, text) in &texts {
        let build_code = path.starts_with("src/build");
        for (number, line) in text.lines().enumerate() {
            let code = build_code && !line.trim_start().starts_with("//");
            if line.contains("--verify") || (code && line.to_lowercase().contains("verif")) {
                found.push(format!("{}:{}: {}", path.display(), number + 1, line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "the build check is `--build`, not verify: {found:#?}");
}
