//! The files a build of the packaged crate reads, found the way rustc finds them: from
//! each compiled target's root file (library, binaries, build script), through every
//! `mod name;` (with `#[path]`), collecting `include_str!`, `include_bytes!` and
//! `include!` on the way. Sources are lexed with proc-macro2, so strings and comments are
//! never mistaken for code (the `walker` submodule reads one file). Code under a `cfg` that
//! no build of the published crate sets (`#[cfg(test)]`, `cfg(all(test, …))`,
//! `#![cfg(test)]`) is skipped, as `cargo publish`'s verification build does not compile
//! it, and reported as test code; what only a custom `cfg` compiles is marked (the
//! `test_code` submodule judges `cfg`s).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use proc_macro2::TokenStream;

use super::{ArchiveFile, Content};
use crate::base::error::Error;
use test_code::BuildCfgs;
use walker::Walker;

mod test_code;
mod walker;

/// Source files larger than this are not read.
const MAX_SOURCE: u64 = 4 * 1024 * 1024;

/// How deeply brackets, braces and parentheses may nest in a source file: the walk goes
/// down one call per level, and a thread's stack is only so deep. Real code stays far
/// below; a crate that goes past it is not checked.
const MAX_NESTING: usize = 256;

/// A file the build reads: a module file or an included file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CompileInput {
    /// The source file that names it (archive path).
    pub source: PathBuf,
    /// 1-based line in `source` (0 for a target's root file, named by the manifest).
    pub line: usize,
    /// How it is named, as code: `include_str!("…")`, `mod name;`, `#[path = "…"]`.
    pub code: String,
    /// The file, relative to the package root; `None` when it lies outside the package.
    pub resolved: Option<PathBuf>,
    /// The custom `cfg` (`cfg(bench)`) without which no build reads it, when the build
    /// script does not set it: verification does not read it then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub only_with: Option<String>,
}

/// What the module walk finds in the compiled sources.
#[derive(Debug, Default)]
pub struct ModuleScan {
    pub inputs: Vec<CompileInput>,
    /// Where compiled code reads `env!("OUT_DIR")` (archive path, 1-based line): it only
    /// compiles when a build script runs.
    pub out_dir_uses: Vec<(PathBuf, usize)>,
    /// Test code: by archive path, the 1-based line ranges (inclusive) that only a test
    /// build compiles; a module file only tests declare is one range over every line.
    pub test_code: BTreeMap<PathBuf, Vec<(usize, usize)>>,
}

impl ModuleScan {
    /// Whether `line` of `path` is test code.
    pub fn in_test_code(&self, path: &Path, line: usize) -> bool {
        self.test_code
            .get(path)
            .is_some_and(|ranges| ranges.iter().any(|(from, to)| (*from..=*to).contains(&line)))
    }
}

/// Walks the module trees of the compiled targets (`roots`, relative to the package root)
/// through the archive's files.
/// `default_features`: the features `cargo publish`'s verification builds with, when known.
pub fn compile_inputs(
    files: &[ArchiveFile],
    roots: &[PathBuf],
    default_features: Option<BTreeSet<String>>,
) -> Result<ModuleScan, Error> {
    let by_path: BTreeMap<&Path, &ArchiveFile> =
        files.iter().map(|f| (f.path.as_path(), f)).collect();
    let mut inputs = Vec::new();
    let mut out_dir_uses = Vec::new();
    let mut test_code: BTreeMap<PathBuf, Vec<(usize, usize)>> = BTreeMap::new();
    let mut test_modules: Vec<PathBuf> = Vec::new();
    // Each file walked, and whether only under a custom `cfg` (walked again without).
    let mut seen: BTreeMap<PathBuf, bool> = BTreeMap::new();
    // The build script is one of the roots; reading every root's text for the `cfg` names
    // it sets costs little, and a library that names one only counts it as set.
    let mut build = match default_features {
        Some(features) => BuildCfgs::new().with_default_features(features),
        None => BuildCfgs::new(),
    };
    let mut queue: Vec<(PathBuf, PathBuf, Option<String>)> = Vec::new();
    for root in roots {
        if let Some(text) = read_source(by_path.get(root.as_path()).copied())? {
            build.read(&text);
        }
        let module_dir = root.parent().unwrap_or(Path::new("")).to_path_buf();
        inputs.push(CompileInput {
            source: "Cargo.toml".into(),
            line: 0,
            code: format!("target root {}", crate::base::format::slash_path(root)),
            resolved: Some(root.clone()),
            only_with: None,
        });
        queue.push((root.clone(), module_dir, None));
    }
    while let Some((file, module_dir, condition)) = queue.pop() {
        match seen.get(&file) {
            Some(false) => continue,
            Some(true) if condition.is_some() => continue,
            _ => {}
        }
        seen.insert(file.clone(), condition.is_some());
        let Some(text) = read_source(by_path.get(file.as_path()).copied())? else { continue };
        let Ok(tokens) = text.parse::<TokenStream>() else { continue };
        if nests_deeper(tokens.clone(), MAX_NESTING) {
            let problem = format!(
                "brackets, braces or parentheses nest more than {MAX_NESTING} levels deep; cargo-readiness reads no deeper"
            );
            return Err(Error::io(
                &file,
                std::io::Error::new(std::io::ErrorKind::InvalidData, problem),
            ));
        }
        let mut walker = Walker::new(&file, &build, condition);
        walker.walk(tokens, &module_dir, false, 0);
        out_dir_uses.extend(walker.out_dir.iter().map(|line| (file.clone(), *line)));
        if !walker.test_lines.is_empty() {
            test_code.entry(file.clone()).or_default().extend(walker.test_lines);
        }
        test_modules.extend(walker.test_modules);
        for module in walker.modules {
            let resolved =
                module.candidates.iter().find(|c| by_path.contains_key(c.as_path())).cloned();
            let resolved = resolved.or_else(|| module.candidates.first().cloned());
            if let Some(path) = &resolved
                && by_path.contains_key(path.as_path())
            {
                queue.push((path.clone(), module.child_dir(path), module.condition.clone()));
            }
            inputs.push(CompileInput {
                source: file.clone(),
                line: module.line,
                code: module.code,
                resolved,
                only_with: module.condition,
            });
        }
        inputs.extend(walker.found);
    }
    // A module only tests declare is test code through and through, unless a build
    // compiles the same file as another module.
    for path in test_modules {
        if by_path.contains_key(path.as_path()) && !seen.contains_key(&path) {
            test_code.insert(path, vec![(1, usize::MAX)]);
        }
    }
    // A file walked twice names its inputs twice: the one any build reads is kept.
    inputs.sort_by(|a, b| {
        (&a.source, a.line, &a.code, &a.only_with).cmp(&(&b.source, b.line, &b.code, &b.only_with))
    });
    inputs.dedup_by(|later, kept| {
        (&later.source, later.line, &later.code) == (&kept.source, kept.line, &kept.code)
    });
    out_dir_uses.sort();
    out_dir_uses.dedup();
    Ok(ModuleScan { inputs, out_dir_uses, test_code })
}

fn read_source(file: Option<&ArchiveFile>) -> Result<Option<String>, Error> {
    let Some(ArchiveFile { content: Content::File(path), size, .. }) = file else {
        return Ok(None);
    };
    if *size > MAX_SOURCE {
        return Ok(None);
    }
    let mut bytes = Vec::with_capacity(*size as usize);
    crate::base::paths::open_regular(path)
        .and_then(|f| f.take(MAX_SOURCE).read_to_end(&mut bytes))
        .map_err(|e| Error::io(path, e))?;
    Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
}

/// Whether groups nest more than `limit` levels deep in `tokens`, found without recursion.
fn nests_deeper(tokens: TokenStream, limit: usize) -> bool {
    let mut open = vec![tokens.into_iter()];
    while let Some(level) = open.last_mut() {
        match level.next() {
            // A group met at `open.len()` nests that many levels deep.
            Some(proc_macro2::TokenTree::Group(_)) if open.len() > limit => return true,
            Some(proc_macro2::TokenTree::Group(group)) => open.push(group.stream().into_iter()),
            Some(_) => {}
            None => {
                open.pop();
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The compile inputs of a crate whose files are `files` (path, text), written to disk.
    fn scanned(files: &[(&str, &str)], roots: &[&str]) -> ModuleScan {
        let dir = tempfile::tempdir().unwrap();
        let archive: Vec<ArchiveFile> = files
            .iter()
            .map(|(path, text)| {
                let disk = dir.path().join(path);
                std::fs::create_dir_all(disk.parent().unwrap()).unwrap();
                std::fs::write(&disk, text).unwrap();
                ArchiveFile {
                    path: PathBuf::from(path),
                    size: text.len() as u64,
                    origin: super::super::Origin::Disk,
                    executable: false,
                    sha256: [0; 32],
                    content: Content::File(disk),
                }
            })
            .collect();
        let roots: Vec<PathBuf> = roots.iter().map(PathBuf::from).collect();
        compile_inputs(&archive, &roots, None).unwrap()
    }

    #[test]
    fn nesting_is_measured_without_recursion() {
        let nested = |depth: usize| -> TokenStream {
            format!("fn f() {}{}", "{".repeat(depth), "}".repeat(depth)).parse().unwrap()
        };
        assert!(!nests_deeper(nested(5), 5), "five levels are not more than five");
        assert!(nests_deeper(nested(6), 5));
        assert!(nests_deeper(nested(200_000), MAX_NESTING), "checked on a test thread's stack");
    }

    #[test]
    fn test_modules_are_test_code_and_custom_cfgs_are_conditions() {
        let lib = "mod shared;\n#[cfg(test)]\nmod tests;\n#[cfg(test)]\nmod shared_too;\n#[cfg(bench)]\nmod benches;\n#[cfg(read_buf)]\nconst R: &[u8] = include_bytes!(\"r.bin\");\n#[path = \"shared_too.rs\"]\nmod also;\n";
        let scan = scanned(
            &[
                ("src/lib.rs", lib),
                ("src/shared.rs", "const S: &[u8] = include_bytes!(\"s.bin\");\n"),
                ("src/tests.rs", "const KEY: &str = \"\";\n"),
                ("src/shared_too.rs", ""),
                ("src/benches.rs", "mod inner;\nconst B: &[u8] = include_bytes!(\"b.bin\");\n"),
                (
                    "src/benches/inner.rs",
                    "#[cfg(not(bench))]\nconst C: &str = include_str!(\"c\");\n",
                ),
                ("build.rs", "fn main() { println!(\"cargo:rustc-cfg=read_buf\"); }\n"),
            ],
            &["src/lib.rs", "build.rs"],
        );
        let test_files: Vec<&Path> = scan.test_code.keys().map(PathBuf::as_path).collect();
        assert_eq!(test_files, [Path::new("src/lib.rs"), Path::new("src/tests.rs")]);
        assert!(scan.in_test_code(Path::new("src/tests.rs"), 1));
        assert!(scan.in_test_code(Path::new("src/lib.rs"), 3));
        assert!(!scan.in_test_code(Path::new("src/lib.rs"), 6));
        let inputs: Vec<(String, Option<&str>)> = scan
            .inputs
            .iter()
            .filter(|i| i.source != Path::new("Cargo.toml"))
            .map(|i| (i.code.clone(), i.only_with.as_deref()))
            .collect();
        let bench = Some("cfg(bench)");
        assert_eq!(
            inputs,
            [
                ("include_str!(\"c\")".to_owned(), bench),
                ("mod inner;".to_owned(), bench),
                ("include_bytes!(\"b.bin\")".to_owned(), bench),
                ("mod shared;".to_owned(), None),
                ("mod benches;".to_owned(), bench),
                ("include_bytes!(\"r.bin\")".to_owned(), None),
                ("#[path = \"shared_too.rs\"] mod also;".to_owned(), None),
                ("include_bytes!(\"s.bin\")".to_owned(), None),
            ]
        );
    }
}
