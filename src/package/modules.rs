//! The files a build of the packaged crate reads, found the way rustc finds them: from
//! each compiled target's root file (library, binaries, build script), through every
//! `mod name;` (with `#[path]`), collecting `include_str!`, `include_bytes!` and
//! `include!` on the way. Sources are lexed with proc-macro2, so strings and comments are
//! never mistaken for code; items under `#[cfg(test)]` (or `cfg(all(test, …))`) are
//! skipped, as `cargo publish`'s verification build does not compile them.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use proc_macro2::{Delimiter, Literal, TokenStream, TokenTree};

use super::{ArchiveFile, Content};
use crate::base::error::Error;

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
}

/// Walks the module trees of the compiled targets (`roots`, relative to the package root)
/// through the archive's files.
/// What the module walk finds in the compiled sources.
#[derive(Debug, Default)]
pub struct ModuleScan {
    pub inputs: Vec<CompileInput>,
    /// Where compiled code reads `env!("OUT_DIR")` (archive path, 1-based line): it only
    /// compiles when a build script runs.
    pub out_dir_uses: Vec<(PathBuf, usize)>,
}

pub fn compile_inputs(files: &[ArchiveFile], roots: &[PathBuf]) -> Result<ModuleScan, Error> {
    let by_path: BTreeMap<&Path, &ArchiveFile> =
        files.iter().map(|f| (f.path.as_path(), f)).collect();
    let mut inputs = Vec::new();
    let mut out_dir_uses = Vec::new();
    let mut seen = BTreeSet::new();
    let mut queue: Vec<(PathBuf, PathBuf)> = Vec::new();
    for root in roots {
        let module_dir = root.parent().unwrap_or(Path::new("")).to_path_buf();
        inputs.push(CompileInput {
            source: "Cargo.toml".into(),
            line: 0,
            code: format!("target root {}", crate::base::format::slash_path(root)),
            resolved: Some(root.clone()),
        });
        queue.push((root.clone(), module_dir));
    }
    while let Some((file, module_dir)) = queue.pop() {
        if !seen.insert(file.clone()) {
            continue;
        }
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
        let mut walker =
            Walker { file: &file, found: Vec::new(), modules: Vec::new(), out_dir: Vec::new() };
        walker.walk(tokens, &module_dir, false);
        out_dir_uses.extend(walker.out_dir.iter().map(|line| (file.clone(), *line)));
        for module in walker.modules {
            let resolved =
                module.candidates.iter().find(|c| by_path.contains_key(c.as_path())).cloned();
            let resolved = resolved.or_else(|| module.candidates.first().cloned());
            if let Some(path) = &resolved
                && by_path.contains_key(path.as_path())
            {
                queue.push((path.clone(), module.child_dir(path)));
            }
            inputs.push(CompileInput {
                source: file.clone(),
                line: module.line,
                code: module.code,
                resolved,
            });
        }
        inputs.extend(walker.found);
    }
    inputs.sort_by(|a, b| (&a.source, a.line, &a.code).cmp(&(&b.source, b.line, &b.code)));
    inputs.dedup();
    out_dir_uses.sort();
    Ok(ModuleScan { inputs, out_dir_uses })
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
            Some(TokenTree::Group(_)) if open.len() > limit => return true,
            Some(TokenTree::Group(group)) => open.push(group.stream().into_iter()),
            Some(_) => {}
            None => {
                open.pop();
            }
        }
    }
    false
}

/// A `mod name;` declaration.
struct ModuleDecl {
    line: usize,
    code: String,
    /// Where the module's file may be, in rustc's order of preference.
    candidates: Vec<PathBuf>,
    /// Declared with `#[path]`: its children live beside it, like a `mod.rs`.
    by_path_attribute: bool,
}

impl ModuleDecl {
    /// The folder that holds the children of the module loaded from `file`.
    fn child_dir(&self, file: &Path) -> PathBuf {
        let parent = file.parent().unwrap_or(Path::new("")).to_path_buf();
        let is_mod_rs = file.file_name().is_some_and(|n| n == "mod.rs");
        if self.by_path_attribute || is_mod_rs {
            parent
        } else {
            parent.join(file.file_stem().unwrap_or_default())
        }
    }
}

struct Walker<'a> {
    file: &'a Path,
    found: Vec<CompileInput>,
    modules: Vec<ModuleDecl>,
    /// Lines that read `env!("OUT_DIR")`.
    out_dir: Vec<usize>,
}

impl Walker<'_> {
    /// `module_dir` is where `mod x;` finds `x.rs`; `inline` is true inside `mod a { … }`,
    /// where `#[path]` is relative to `module_dir` rather than to the file's folder.
    fn walk(&mut self, tokens: TokenStream, module_dir: &Path, inline: bool) {
        let tokens: Vec<TokenTree> = tokens.into_iter().collect();
        let file_dir = self.file.parent().unwrap_or(Path::new("")).to_path_buf();
        // `#[path]` values (and `#[cfg_attr(…, path = …)]` alternatives) for the next item.
        let mut paths: Vec<(String, bool)> = Vec::new();
        let mut i = 0;
        while i < tokens.len() {
            match &tokens[i] {
                TokenTree::Punct(p) if p.as_char() == '#' => {
                    let attribute = match tokens.get(i + 1) {
                        Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Bracket => Some(g),
                        _ => None,
                    };
                    if let Some(attribute) = attribute {
                        if is_cfg_test(attribute.stream()) {
                            i = skip_item(&tokens, i + 2);
                            paths.clear();
                            continue;
                        }
                        paths.extend(path_values(attribute.stream()));
                        i += 2;
                        continue;
                    }
                }
                // A macro's body is a template: its `mod` items are expanded elsewhere.
                TokenTree::Ident(ident)
                    if ident == "macro_rules"
                        && matches!(tokens.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == '!') =>
                {
                    i += 4;
                    paths.clear();
                    continue;
                }
                TokenTree::Ident(ident) if ident == "mod" => {
                    if let Some(TokenTree::Ident(name)) = tokens.get(i + 1) {
                        let name = name.to_string();
                        let name = name.trim_start_matches("r#");
                        let line = ident.span().start().line;
                        match tokens.get(i + 2) {
                            Some(TokenTree::Punct(semi)) if semi.as_char() == ';' => {
                                let base = if inline { module_dir } else { &file_dir };
                                let attributed: Vec<PathBuf> = paths
                                    .iter()
                                    .filter_map(|(p, _)| {
                                        crate::base::paths::relative_inside(&base.join(p))
                                    })
                                    .collect();
                                let conditional = paths.iter().all(|(_, conditional)| *conditional);
                                let mut candidates = attributed;
                                // Without an unconditional #[path], rustc may also look in
                                // the default places.
                                if conditional {
                                    candidates.extend(
                                        [format!("{name}.rs"), format!("{name}/mod.rs")]
                                            .iter()
                                            .filter_map(|c| {
                                                crate::base::paths::relative_inside(
                                                    &module_dir.join(c),
                                                )
                                            }),
                                    );
                                }
                                let code = match paths.first() {
                                    Some((path, false)) => {
                                        format!("#[path = \"{path}\"] mod {name};")
                                    }
                                    _ => format!("mod {name};"),
                                };
                                self.modules.push(ModuleDecl {
                                    line,
                                    code,
                                    candidates,
                                    by_path_attribute: !paths.is_empty(),
                                });
                                paths.clear();
                                i += 3;
                                continue;
                            }
                            Some(TokenTree::Group(body))
                                if body.delimiter() == Delimiter::Brace =>
                            {
                                let dir = match paths.first() {
                                    Some((path, false)) => module_dir.join(path),
                                    _ => module_dir.join(name),
                                };
                                paths.clear();
                                self.walk(body.stream(), &dir, true);
                                i += 3;
                                continue;
                            }
                            _ => {}
                        }
                    }
                }
                TokenTree::Ident(ident)
                    if ident == "env"
                        && matches!(tokens.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == '!')
                        && matches!(tokens.get(i + 2), Some(TokenTree::Group(g)) if g.stream().to_string() == "\"OUT_DIR\"") =>
                {
                    self.out_dir.push(ident.span().start().line);
                }
                TokenTree::Ident(ident) => {
                    let via = match ident.to_string().as_str() {
                        "include_str" => Some("include_str"),
                        "include_bytes" => Some("include_bytes"),
                        "include" => Some("include"),
                        _ => None,
                    };
                    if let (Some(via), Some(TokenTree::Punct(bang)), Some(TokenTree::Group(args))) =
                        (via, tokens.get(i + 1), tokens.get(i + 2))
                        && bang.as_char() == '!'
                        && let Some((written, base)) = include_argument(args.stream())
                    {
                        let resolved = match base {
                            Base::Source => {
                                crate::base::paths::relative_inside(&file_dir.join(&written))
                            }
                            Base::ManifestDir => crate::base::paths::relative_inside(Path::new(
                                written.trim_start_matches('/'),
                            )),
                        };
                        self.found.push(CompileInput {
                            source: self.file.to_path_buf(),
                            line: ident.span().start().line,
                            code: format!("{via}!({})", args.stream()),
                            resolved,
                        });
                        i += 3;
                        continue;
                    }
                }
                TokenTree::Group(group) => self.walk(group.stream(), module_dir, inline),
                _ => {}
            }
            // Any other token (but `pub` and `(crate)`) ends the attributes' reach.
            if !matches!(&tokens[i], TokenTree::Ident(id) if id == "pub")
                && !matches!(&tokens[i], TokenTree::Group(g) if g.delimiter() == Delimiter::Parenthesis)
            {
                paths.clear();
            }
            i += 1;
        }
    }
}

/// Skips the attributes and the item starting at `i`: up to and including the first
/// `{ … }` block or `;`.
fn skip_item(tokens: &[TokenTree], mut i: usize) -> usize {
    while i < tokens.len() {
        let end = match &tokens[i] {
            TokenTree::Group(g) => g.delimiter() == Delimiter::Brace,
            TokenTree::Punct(p) => p.as_char() == ';',
            _ => false,
        };
        i += 1;
        if end {
            break;
        }
    }
    i
}

/// `cfg(test)` or `cfg(all(…, test, …))`: compiled only for tests.
fn is_cfg_test(attribute: TokenStream) -> bool {
    let tokens: Vec<TokenTree> = attribute.into_iter().collect();
    let [TokenTree::Ident(cfg), TokenTree::Group(predicate)] = tokens.as_slice() else {
        return false;
    };
    if cfg != "cfg" {
        return false;
    }
    let inner: Vec<TokenTree> = predicate.stream().into_iter().collect();
    match inner.as_slice() {
        [TokenTree::Ident(test)] => test == "test",
        [TokenTree::Ident(all), TokenTree::Group(terms)] if all == "all" => {
            terms.stream().into_iter().any(|t| matches!(t, TokenTree::Ident(id) if id == "test"))
        }
        _ => false,
    }
}

/// The paths an attribute gives a module: `path = "…"` (unconditional), or each
/// `path = "…"` inside `cfg_attr(…)` (conditional).
fn path_values(attribute: TokenStream) -> Vec<(String, bool)> {
    let tokens: Vec<TokenTree> = attribute.into_iter().collect();
    match tokens.as_slice() {
        [TokenTree::Ident(name), TokenTree::Punct(eq), TokenTree::Literal(lit)]
            if name == "path" && eq.as_char() == '=' =>
        {
            string_value(lit).map(|p| (p, false)).into_iter().collect()
        }
        [TokenTree::Ident(cfg_attr), TokenTree::Group(args)] if cfg_attr == "cfg_attr" => {
            let inner: Vec<TokenTree> = args.stream().into_iter().collect();
            inner
                .windows(3)
                .filter_map(|w| match w {
                    [TokenTree::Ident(name), TokenTree::Punct(eq), TokenTree::Literal(lit)]
                        if name == "path" && eq.as_char() == '=' =>
                    {
                        string_value(lit).map(|p| (p, true))
                    }
                    _ => None,
                })
                .collect()
        }
        _ => Vec::new(),
    }
}

/// What an include path is relative to.
enum Base {
    /// The including file's folder.
    Source,
    /// `concat!(env!("CARGO_MANIFEST_DIR"), "/…")`: the package root.
    ManifestDir,
}

/// The path of `include_str!("…")` or `include_str!(concat!(env!("CARGO_MANIFEST_DIR"),
/// "/…"))`; `None` for anything else (`OUT_DIR`, macro variables).
fn include_argument(args: TokenStream) -> Option<(String, Base)> {
    let args: Vec<TokenTree> = args.into_iter().collect();
    match args.as_slice() {
        [TokenTree::Literal(lit), ..] => Some((string_value(lit)?, Base::Source)),
        [TokenTree::Ident(concat), TokenTree::Punct(bang), TokenTree::Group(inner), ..]
            if concat == "concat" && bang.as_char() == '!' =>
        {
            let inner: Vec<TokenTree> = inner.stream().into_iter().collect();
            match inner.as_slice() {
                [
                    TokenTree::Ident(env),
                    TokenTree::Punct(_),
                    TokenTree::Group(var),
                    TokenTree::Punct(_),
                    TokenTree::Literal(rest),
                    ..,
                ] if env == "env" && var.stream().to_string() == "\"CARGO_MANIFEST_DIR\"" => {
                    Some((string_value(rest)?, Base::ManifestDir))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// The value of a plain or raw string literal (`"a\\b"`, `r#"a"#`).
fn string_value(lit: &Literal) -> Option<String> {
    let text = lit.to_string();
    if let Some(raw) = text.strip_prefix('r') {
        let hashes = raw.len() - raw.trim_start_matches('#').len();
        let body = raw.get(hashes..raw.len() - hashes)?;
        return body.strip_prefix('"')?.strip_suffix('"').map(str::to_owned);
    }
    let body = text.strip_prefix('"')?.strip_suffix('"')?;
    let mut value = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            value.push(c);
            continue;
        }
        match chars.next()? {
            'n' => value.push('\n'),
            't' => value.push('\t'),
            '0' => value.push('\0'),
            other => value.push(other), // \\ \" \'
        }
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    type Found = Vec<(String, Option<String>)>;
    type Modules = Vec<(String, Vec<String>)>;

    fn walk(file: &str, text: &str) -> (Found, Modules) {
        let path = Path::new(file);
        let mut walker =
            Walker { file: path, found: Vec::new(), modules: Vec::new(), out_dir: Vec::new() };
        walker.walk(text.parse().unwrap(), path.parent().unwrap(), false);
        let found = walker
            .found
            .iter()
            .map(|i| {
                (i.code.clone(), i.resolved.as_ref().map(|p| crate::base::format::slash_path(p)))
            })
            .collect();
        let modules = walker
            .modules
            .iter()
            .map(|m| {
                (
                    m.code.clone(),
                    m.candidates.iter().map(|p| crate::base::format::slash_path(p)).collect(),
                )
            })
            .collect();
        (found, modules)
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
    fn includes_are_resolved_and_strings_comments_and_tests_ignored() {
        let text = r#"
const A: &str = include_str!("../README.md");
static B: &[u8] = include_bytes!( "data/table.bin" );
include!(concat!(env!("OUT_DIR"), "/gen.rs"));
const C: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/x.txt"));
// include_str!("commented.txt")
/// include_str!("doc-example.txt")
#![doc = include_str!("../../outside.md")]
const S: &str = "include_str!(\"in-a-string.txt\")";
#[cfg(test)]
mod tests { const T: &str = include_str!("test-only.txt"); }
#[cfg(all(test, feature = "x"))]
const U: &str = include_str!("test-only-too.txt");
"#;
        let (found, _) = walk("src/lib.rs", text);
        let resolved: Vec<Option<&str>> = found.iter().map(|(_, r)| r.as_deref()).collect();
        let path = Path::new("src/lib.rs");
        let mut walker =
            Walker { file: path, found: Vec::new(), modules: Vec::new(), out_dir: Vec::new() };
        walker.walk(text.parse().unwrap(), path.parent().unwrap(), false);
        assert_eq!(
            walker.out_dir,
            [4],
            "env!(\"OUT_DIR\") is found; the string and test code are not"
        );
        assert_eq!(
            resolved,
            [Some("README.md"), Some("src/data/table.bin"), Some("assets/x.txt"), None]
        );
    }

    #[test]
    fn modules_are_found_where_rustc_looks() {
        let text = r#"
mod plain;
pub(crate) mod nested;
#[path = "platform/unix.rs"]
mod sys;
#[cfg(test)]
mod tests;
#[cfg(unix)]
#[path = "arch/x86.rs"]
#[macro_use]
mod arch;
#[cfg_attr(feature = "spin", path = "spin_lazy.rs")]
mod lazy;
mod store {
    #[path = "general/handle/mod.rs"]
    mod handle;
    mod inner;
}
"#;
        let (_, modules) = walk("src/lib.rs", text);
        assert_eq!(
            modules,
            [
                (
                    "mod plain;".to_owned(),
                    vec!["src/plain.rs".to_owned(), "src/plain/mod.rs".to_owned()]
                ),
                (
                    "mod nested;".to_owned(),
                    vec!["src/nested.rs".to_owned(), "src/nested/mod.rs".to_owned()]
                ),
                (
                    "#[path = \"platform/unix.rs\"] mod sys;".to_owned(),
                    vec!["src/platform/unix.rs".to_owned()]
                ),
                (
                    "#[path = \"arch/x86.rs\"] mod arch;".to_owned(),
                    vec!["src/arch/x86.rs".to_owned()]
                ),
                (
                    "mod lazy;".to_owned(),
                    vec![
                        "src/spin_lazy.rs".to_owned(),
                        "src/lazy.rs".to_owned(),
                        "src/lazy/mod.rs".to_owned()
                    ]
                ),
                (
                    "#[path = \"general/handle/mod.rs\"] mod handle;".to_owned(),
                    vec!["src/store/general/handle/mod.rs".to_owned()]
                ),
                (
                    "mod inner;".to_owned(),
                    vec!["src/store/inner.rs".to_owned(), "src/store/inner/mod.rs".to_owned()]
                ),
            ]
        );
    }

    #[test]
    fn children_of_a_non_mod_rs_file_live_in_its_folder() {
        let decl = ModuleDecl {
            line: 1,
            code: String::new(),
            candidates: vec![],
            by_path_attribute: false,
        };
        assert_eq!(decl.child_dir(Path::new("src/net.rs")), Path::new("src/net"));
        assert_eq!(decl.child_dir(Path::new("src/net/mod.rs")), Path::new("src/net"));
    }
}
