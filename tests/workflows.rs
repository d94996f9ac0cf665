//! The CI workflows of the guide (`content/ci.md`), of this repository
//! (`.github/workflows/`) and the composite action (`action.yml`) are valid YAML, every
//! `cargo readiness …` command line in them is one the CLI accepts, and they are green when
//! copied: every cargo runs as `cargo +stable`, no expression is pasted into a script, a
//! pull request's head commit is checked out, the comment is skipped for a fork, GitHub
//! Pages publishes when a crate is blocked and fails only after, and the release's assets
//! are where the action and cargo-binstall look. The build check is called `--build`
//! everywhere, `verify` being the sign-off check's word alone.

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

/// The arguments after `cargo readiness` (or `cargo +stable readiness`) on each command line
/// of `script` (continuation lines joined, `${{ … }}` expressions replaced by a word,
/// stopped at a shell operator).
fn readiness_commands(script: &str) -> Vec<Vec<String>> {
    let joined = script.replace("\\\n", " ");
    let mut commands = Vec::new();
    for line in joined.lines() {
        let Some((at, command)) = ["cargo +stable readiness", "cargo readiness"]
            .iter()
            .find_map(|command| line.find(command).map(|at| (at, *command)))
        else {
            continue;
        };
        let mut text = line[at + command.len()..].to_owned();
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

/// Every workflow: the guide's YAML blocks (named `content/ci.md#N`), this repository's
/// `.github/workflows/*.yml` and `action.yml`, parsed.
fn workflows() -> Vec<(String, Value)> {
    let parse = |name: String, text: &str| {
        let value = serde_yaml::from_str(text)
            .unwrap_or_else(|e| panic!("{name}: invalid YAML ({e}):\n{text}"));
        (name, value)
    };
    let mut found: Vec<(String, Value)> = yaml_blocks(&read("content/ci.md"))
        .iter()
        .enumerate()
        .map(|(n, block)| parse(format!("content/ci.md#{n}"), block))
        .collect();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".github/workflows");
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    for file in files {
        let name = format!(".github/workflows/{}", file.file_name().unwrap().to_string_lossy());
        found.push(parse(name, &std::fs::read_to_string(&file).unwrap()));
    }
    found.push(parse("action.yml".into(), &read("action.yml")));
    found
}

/// The steps of every job of a GitHub workflow (or of a composite action), by job name.
fn jobs(workflow: &Value) -> Vec<(String, &Vec<Value>)> {
    if let Some(steps) = workflow["runs"]["steps"].as_sequence() {
        return vec![("action".into(), steps)];
    }
    let Some(jobs) = workflow["jobs"].as_mapping() else { return Vec::new() };
    jobs.iter()
        .filter_map(|(name, job)| Some((name.as_str()?.to_owned(), job["steps"].as_sequence()?)))
        .collect()
}

fn uses(step: &Value, action: &str) -> bool {
    step["uses"].as_str().is_some_and(|u| u.starts_with(action))
}

#[test]
fn every_workflow_parses_and_its_commands_are_accepted() {
    let workflows = workflows();
    assert!(workflows.len() >= 10, "the workflows: {}", workflows.len());
    let mut checked = 0;
    for (name, workflow) in &workflows {
        let mut found = Vec::new();
        scripts(workflow, &mut found);
        for script in found {
            // The action builds its arguments in a list: its own test checks them.
            for args in readiness_commands(&script)
                .into_iter()
                .filter(|a| !a.contains(&"${args[@]}".into()))
            {
                let argv = std::iter::once("cargo-readiness".to_owned()).chain(args.clone());
                if let Err(error) = Cli::try_parse_from(argv) {
                    panic!("{name}: `cargo readiness {}` is refused: {error}", args.join(" "));
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= 10, "only {checked} cargo readiness commands found");
}

/// The Security page: a `rust-toolchain.toml` in the pull request must not choose the
/// toolchain, so every cargo names `+stable` (`.ci/run`'s job sets `RUSTUP_TOOLCHAIN`).
#[test]
fn every_cargo_runs_on_stable() {
    let cargo = regex::Regex::new(r"(^|[\s;&|(])cargo\s+(\S+)").unwrap();
    let mut found = Vec::new();
    let mut checked = 0;
    for (name, workflow) in workflows() {
        let mut scripts_found = Vec::new();
        scripts(&workflow, &mut scripts_found);
        for script in scripts_found {
            for line in script.lines().filter(|l| !l.trim_start().starts_with('#')) {
                for capture in cargo.captures_iter(line) {
                    checked += 1;
                    if &capture[2] != "+stable" {
                        found.push(format!("{name}: {line}"));
                    }
                }
            }
        }
    }
    assert!(checked >= 20, "{checked} cargo commands");
    assert!(found.is_empty(), "cargo without +stable: {found:#?}");
    let ci: Value = serde_yaml::from_str(&read(".github/workflows/ci.yml")).unwrap();
    assert_eq!(ci["jobs"]["test"]["env"]["RUSTUP_TOOLCHAIN"], "stable");
}

/// A `${{ … }}` expression pasted into a script is script injection waiting for a branch
/// name; values reach scripts through `env:`.
#[test]
fn no_expression_is_pasted_into_a_script() {
    for (name, workflow) in workflows() {
        let mut found = Vec::new();
        scripts(&workflow, &mut found);
        for script in found {
            assert!(!script.contains("${{"), "{name} pastes an expression into:\n{script}");
        }
    }
}

/// On `pull_request`, the checkout names the pull request's head commit (the commit a
/// sign-off can name), never GitHub's merge commit; and no workflow runs on
/// `pull_request_target`.
#[test]
fn pull_request_workflows_check_out_the_head_commit() {
    let mut checked = 0;
    for (name, workflow) in workflows() {
        let on = &workflow["on"];
        assert!(on.get("pull_request_target").is_none(), "{name} runs on pull_request_target");
        if on.get("pull_request").is_none() || name.ends_with("ci.yml") {
            continue;
        }
        for (job, steps) in jobs(&workflow) {
            for step in steps.iter().filter(|s| uses(s, "actions/checkout@")) {
                assert_eq!(
                    step["with"]["ref"].as_str(),
                    Some("${{ github.event.pull_request.head.sha }}"),
                    "{name} ({job}) checks out the merge commit"
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 3, "{checked} pull-request checkouts");
}

const SAME_REPOSITORY: &str = "github.event.pull_request.head.repo.full_name == github.repository";

/// A pull request from a fork gets a read-only token: every step that writes a comment is
/// skipped for it by its `if:`, and the action says why instead.
#[test]
fn the_comment_is_skipped_for_a_fork() {
    let mut commenting = 0;
    for (name, workflow) in workflows() {
        for (job, steps) in jobs(&workflow) {
            for step in steps {
                let script = step["with"]["script"].as_str().unwrap_or_default();
                let run = step["run"].as_str().unwrap_or_default();
                if script.contains("createComment") || run.contains("gh pr comment") {
                    let condition = step["if"].as_str().unwrap_or_default();
                    assert!(
                        condition.contains(SAME_REPOSITORY),
                        "{name} ({job}) comments on forks' pull requests: if: {condition}"
                    );
                    commenting += 1;
                }
            }
        }
    }
    assert_eq!(commenting, 1, "the action's comment step");
    let action: Value = serde_yaml::from_str(&read("action.yml")).unwrap();
    let steps = action["runs"]["steps"].as_sequence().unwrap();
    let notice = steps.iter().find(|s| s["name"] == "Say why there is no comment").unwrap();
    let fork = SAME_REPOSITORY.replace("==", "!=");
    assert!(notice["if"].as_str().unwrap().contains(&fork));
    // Only a blocked crate fails the job, and only when asked.
    let fail = steps.iter().find(|s| s["name"] == "Fail when a crate is blocked").unwrap();
    assert!(fail["if"].as_str().unwrap().contains("inputs.fail-on-blocked == 'true'"));
}

/// GitHub Pages: the build job never fails on exit 1 (a blocked crate), the site is
/// uploaded, and the deploy job fails after deploying when the report said blocked.
#[test]
fn pages_publishes_when_a_crate_is_blocked_and_fails_after() {
    let mut checked = 0;
    for (name, workflow) in workflows() {
        let Some(all) = workflow["jobs"].as_mapping() else { continue };
        let deploys = |job: &Value| {
            job["steps"]
                .as_sequence()
                .is_some_and(|s| s.iter().any(|s| uses(s, "actions/deploy-pages@")))
        };
        let Some((_, deploy)) = all.iter().find(|(_, job)| deploys(job)) else { continue };
        let build_name = deploy["needs"].as_str().expect("deploy needs the build job");
        let build = &workflow["jobs"][build_name];
        assert_eq!(
            build["outputs"]["exit-code"].as_str(),
            Some("${{ steps.report.outputs.exit-code }}"),
            "{name}: the report's exit code is the build job's output"
        );
        let steps = build["steps"].as_sequence().unwrap();
        let report = steps.iter().find(|s| s["id"] == "report").unwrap();
        assert_eq!(
            report["with"]["fail-on-blocked"],
            Value::Bool(false),
            "{name}: the report step fails the job before the site is published"
        );
        for step in steps {
            let run = step["run"].as_str().unwrap_or_default();
            for args in readiness_commands(run) {
                assert!(
                    args.first().is_some_and(|a| a == "verify") || run.contains("|| code=$?"),
                    "{name}: a report that exits 1 stops the job: {run}"
                );
            }
        }
        assert!(steps.iter().any(|s| uses(s, "actions/upload-pages-artifact@")));
        let deploy_steps = deploy["steps"].as_sequence().unwrap();
        let at = deploy_steps.iter().position(|s| uses(s, "actions/deploy-pages@")).unwrap();
        let condition = format!("needs.{build_name}.outputs.exit-code != '0'");
        assert!(
            deploy_steps[at + 1..].iter().any(|s| {
                s["if"].as_str().is_some_and(|c| c.contains(&condition))
                    && s["run"].as_str().is_some_and(|r| r.contains("exit"))
            }),
            "{name}: nothing fails the job when a crate is blocked"
        );
        checked += 1;
    }
    assert_eq!(checked, 2, "the guide's Pages workflow and this repository's");
}

/// The release's assets are named as the action downloads them and as
/// `[package.metadata.binstall]` expands for each target the release builds, and the
/// packaging script, run dry on a stand-in binary, writes exactly those, checksum beside.
#[cfg(unix)]
#[test]
fn release_assets_are_where_the_action_and_binstall_look() {
    let release: Value = serde_yaml::from_str(&read(".github/workflows/release.yml")).unwrap();
    let targets: Vec<&str> = release["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|e| e["target"].as_str().unwrap())
        .collect();
    assert_eq!(targets.len(), 5);
    let manifest: toml::Table = read("Cargo.toml").parse().unwrap();
    let binstall = &manifest["package"]["metadata"]["binstall"];
    let action = read("action.yml");
    let tmp = tempfile::tempdir().unwrap();
    let repository = "https://github.com/cargo-readiness/cargo-readiness";
    for target in targets {
        let windows = target.contains("windows");
        let expand = |template: &toml::Value| {
            template
                .as_str()
                .unwrap()
                .replace("{ repo }", repository)
                .replace("{ version }", "0.1.0")
                .replace("{ name }", "cargo-readiness")
                .replace("{ target }", target)
                .replace("{ bin }", "cargo-readiness")
                .replace("{ binary-ext }", if windows { ".exe" } else { "" })
        };
        let overrides = binstall.get("overrides").and_then(|o| o.get(target));
        let url = expand(overrides.and_then(|o| o.get("pkg-url")).unwrap_or(&binstall["pkg-url"]));
        let asset = format!("cargo-readiness-{target}.{}", if windows { "zip" } else { "tar.gz" });
        assert_eq!(url, format!("{repository}/releases/download/v0.1.0/{asset}"));
        assert!(
            action.contains(&format!(") target={target} ;;")),
            "the action never picks {target}"
        );
        assert!(action.contains(&format!("RELEASES: {repository}/releases/download")));
        if windows {
            continue; // 7-Zip is on Windows runners, not here.
        }
        // The packaging step, dry: a stand-in binary where cargo would build it.
        let bin = tmp.path().join(format!("target/{target}/release"));
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::write(bin.join("cargo-readiness"), "stand-in").unwrap();
        let dist = tmp.path().join("dist");
        let status = std::process::Command::new("bash")
            .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".github/scripts/package.sh"))
            .arg(target)
            .env("CARGO_TARGET_DIR", tmp.path().join("target"))
            .env("DIST", &dist)
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success());
        let check = std::process::Command::new("sha256sum")
            .args(["-c", &format!("{asset}.sha256")])
            .current_dir(&dist)
            .output()
            .unwrap();
        assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
        let listing =
            std::process::Command::new("tar").arg("-tzf").arg(dist.join(&asset)).output().unwrap();
        let listing = String::from_utf8(listing.stdout).unwrap();
        let bin_dir = expand(&binstall["bin-dir"]);
        assert!(listing.lines().any(|l| l == bin_dir), "{bin_dir} not in {listing}");
    }
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
    let report =
        found.iter().find(|s| s.contains("cargo +stable readiness \"${args[@]}\"")).unwrap();
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
