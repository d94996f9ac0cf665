//! One source file's tokens, walked as rustc reads them: its `mod` declarations (with
//! `#[path]`), its `include_str!`, `include_bytes!` and `include!`, its reads of
//! `env!("OUT_DIR")`, and the code only tests compile, judged by the `cfg` attributes (see
//! the `test_code` module).

mod path_literals;

use std::path::{Path, PathBuf};

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};

use super::CompileInput;
use super::test_code::{self, BuildCfgs, Verdict, is_punct};
use path_literals::{Base, include_argument, path_values};

/// Groups nested deeper than this are not searched (rustc's own limits stop real code long
/// before): the walk recurses once per level, and a hostile file must not overflow the
/// stack.
const MAX_NESTING: usize = 128;

/// A `mod name;` declaration.
pub(super) struct ModuleDecl {
    pub(super) line: usize,
    pub(super) code: String,
    /// Where the module's file may be, in rustc's order of preference.
    pub(super) candidates: Vec<PathBuf>,
    /// Declared with `#[path]`: its children live beside it, like a `mod.rs`.
    by_path_attribute: bool,
    /// The custom `cfg` it is declared under (see [`CompileInput::only_with`]).
    pub(super) condition: Option<String>,
}

impl ModuleDecl {
    /// The folder that holds the children of the module loaded from `file`.
    pub(super) fn child_dir(&self, file: &Path) -> PathBuf {
        let parent = file.parent().unwrap_or(Path::new("")).to_path_buf();
        let is_mod_rs = file.file_name().is_some_and(|n| n == "mod.rs");
        if self.by_path_attribute || is_mod_rs {
            parent
        } else {
            parent.join(file.file_stem().unwrap_or_default())
        }
    }
}

/// What one file's walk finds.
pub(super) struct Walker<'a> {
    file: &'a Path,
    /// The custom `cfg` names the build script sets.
    build: &'a BuildCfgs,
    /// The custom `cfg` the code being walked is under (see [`CompileInput::only_with`]).
    condition: Option<String>,
    pub(super) found: Vec<CompileInput>,
    pub(super) modules: Vec<ModuleDecl>,
    /// Lines that read `env!("OUT_DIR")`.
    pub(super) out_dir: Vec<usize>,
    /// Line ranges of code only tests compile.
    pub(super) test_lines: Vec<(usize, usize)>,
    /// Where the modules only tests declare may be.
    pub(super) test_modules: Vec<PathBuf>,
}

impl<'a> Walker<'a> {
    pub(super) fn new(
        file: &'a Path,
        build: &'a BuildCfgs,
        condition: Option<String>,
    ) -> Walker<'a> {
        Walker {
            file,
            build,
            condition,
            found: Vec::new(),
            modules: Vec::new(),
            out_dir: Vec::new(),
            test_lines: Vec::new(),
            test_modules: Vec::new(),
        }
    }

    /// `module_dir` is where `mod x;` finds `x.rs`; `inline` is true inside `mod a { … }`,
    /// where `#[path]` is relative to `module_dir` rather than to the file's folder;
    /// `depth` counts the groups around `tokens`.
    pub(super) fn walk(
        &mut self,
        tokens: TokenStream,
        module_dir: &Path,
        inline: bool,
        depth: usize,
    ) {
        if depth > MAX_NESTING {
            return;
        }
        // An inner `#![cfg(…)]` puts the rest of this module under a condition.
        let entry_condition = self.condition.clone();
        // Moved out of `tokens` when nothing else holds them (see `take_group`).
        let mut tokens: Vec<TokenTree> = tokens.into_iter().collect();
        // `#[path]` values (and `#[cfg_attr(…, path = …)]` alternatives) for the next item.
        let mut paths: Vec<(String, bool)> = Vec::new();
        let mut i = 0;
        while i < tokens.len() {
            if let Some(attribute) = inner_attribute(&tokens, i) {
                match test_code::judge(attribute.stream(), self.build) {
                    // `#![cfg(test)]`: the module around it is test code, from here on.
                    Verdict::Never => {
                        let (from, to) = if inline || depth > 0 {
                            let from = tokens[i].span().start().line;
                            (from, tokens.last().map_or(from, |last| last.span().end().line))
                        } else {
                            (1, usize::MAX)
                        };
                        self.test_lines.push((from, to));
                        break;
                    }
                    Verdict::OnlyWith(cfg) => {
                        self.condition.get_or_insert(cfg);
                        i += 3;
                        continue;
                    }
                    // Walked below as a group: `#![doc = include_str!("…")]` reads a file.
                    Verdict::Compiled => {}
                }
            }
            if is_punct(tokens.get(i), '#')
                && matches!(tokens.get(i + 1), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Bracket)
            {
                // Read once, and left behind: nothing looks at an attribute's tokens again.
                let attribute: Vec<TokenTree> =
                    take_group(&mut tokens[i + 1]).into_iter().flatten().collect();
                match test_code::judge_tokens(&attribute, self.build) {
                    Verdict::Never => {
                        let end = test_code::item_end(&tokens, i + 2);
                        self.test_module(&tokens[i + 2..end], &paths, module_dir, inline);
                        let last = tokens[end - 1].span().end().line;
                        self.test_lines.push((tokens[i].span().start().line, last));
                        i = end;
                    }
                    // The item is walked alone, under its condition.
                    Verdict::OnlyWith(cfg) if self.condition.is_none() => {
                        let end = test_code::item_end(&tokens, i + 2);
                        let item: TokenStream = tokens[i + 2..end].iter().cloned().collect();
                        self.condition = Some(cfg);
                        self.walk(item, module_dir, inline, depth + 1);
                        self.condition = None;
                        i = end;
                    }
                    _ => {
                        paths.extend(path_values(&attribute));
                        i += 2;
                        continue;
                    }
                }
                paths.clear();
                continue;
            }
            // A group is walked once, and its tokens moved out rather than copied.
            if let Some(TokenTree::Group(_)) = tokens.get(i) {
                if let Some(group) = take_group(&mut tokens[i]) {
                    self.walk(group, module_dir, inline, depth + 1);
                }
                if !matches!(&tokens[i], TokenTree::Group(g) if g.delimiter() == Delimiter::Parenthesis)
                {
                    paths.clear();
                }
                i += 1;
                continue;
            }
            match &tokens[i] {
                // A macro's body is a template: its `mod` items are expanded elsewhere.
                TokenTree::Ident(ident)
                    if ident == "macro_rules" && is_punct(tokens.get(i + 1), '!') =>
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
                                let candidates =
                                    self.module_candidates(name, &paths, module_dir, inline);
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
                                    condition: self.condition.clone(),
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
                                if let Some(body) = take_group(&mut tokens[i + 2]) {
                                    self.walk(body, &dir, true, depth + 1);
                                }
                                i += 3;
                                continue;
                            }
                            _ => {}
                        }
                    }
                }
                // Under a custom `cfg`, verification does not compile the read.
                TokenTree::Ident(ident)
                    if ident == "env"
                        && self.condition.is_none()
                        && is_punct(tokens.get(i + 1), '!')
                        && matches!(tokens.get(i + 2), Some(TokenTree::Group(g)) if g.stream().to_string() == "\"OUT_DIR\"") =>
                {
                    self.out_dir.push(ident.span().start().line);
                }
                TokenTree::Ident(ident) => {
                    let via = ["include_str", "include_bytes", "include"]
                        .into_iter()
                        .find(|via| ident == via);
                    if let (Some(via), Some(TokenTree::Punct(bang)), Some(TokenTree::Group(args))) =
                        (via, tokens.get(i + 1), tokens.get(i + 2))
                        && bang.as_char() == '!'
                        && let Some((written, base)) = include_argument(args.stream())
                    {
                        let resolved = match base {
                            Base::Source => {
                                let file_dir = self.file.parent().unwrap_or(Path::new(""));
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
                            only_with: self.condition.clone(),
                        });
                        i += 3;
                        continue;
                    }
                }
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
        self.condition = entry_condition;
    }

    /// Where `mod name;` (with these `#[path]` values) may find its file, in rustc's order
    /// of preference.
    fn module_candidates(
        &self,
        name: &str,
        paths: &[(String, bool)],
        module_dir: &Path,
        inline: bool,
    ) -> Vec<PathBuf> {
        let file_dir = self.file.parent().unwrap_or(Path::new(""));
        let base = if inline { module_dir } else { file_dir };
        let mut candidates: Vec<PathBuf> = paths
            .iter()
            .filter_map(|(p, _)| crate::base::paths::relative_inside(&base.join(p)))
            .collect();
        // Without an unconditional #[path], rustc may also look in the default places.
        if paths.iter().all(|(_, conditional)| *conditional) {
            candidates.extend(
                [format!("{name}.rs"), format!("{name}/mod.rs")]
                    .iter()
                    .filter_map(|c| crate::base::paths::relative_inside(&module_dir.join(c))),
            );
        }
        candidates
    }

    /// Records the file of a `mod name;` that only tests compile (`item`: its tokens after
    /// the `cfg`, further attributes and visibility included).
    fn test_module(
        &mut self,
        item: &[TokenTree],
        paths: &[(String, bool)],
        module_dir: &Path,
        inline: bool,
    ) {
        let mut paths = paths.to_vec();
        let mut i = 0;
        while let (Some(TokenTree::Punct(p)), Some(TokenTree::Group(g))) =
            (item.get(i), item.get(i + 1))
        {
            if p.as_char() != '#' || g.delimiter() != Delimiter::Bracket {
                break;
            }
            paths.extend(path_values(&g.stream().into_iter().collect::<Vec<_>>()));
            i += 2;
        }
        let rest = &item[i..];
        let rest = match rest {
            [TokenTree::Ident(vis), TokenTree::Group(g), rest @ ..]
                if vis == "pub" && g.delimiter() == Delimiter::Parenthesis =>
            {
                rest
            }
            [TokenTree::Ident(vis), rest @ ..] if vis == "pub" => rest,
            rest => rest,
        };
        if let [TokenTree::Ident(keyword), TokenTree::Ident(name), TokenTree::Punct(semi)] = rest
            && keyword == "mod"
            && semi.as_char() == ';'
        {
            let name = name.to_string();
            let name = name.trim_start_matches("r#");
            let candidates = self.module_candidates(name, &paths, module_dir, inline);
            self.test_modules.extend(candidates);
        }
    }
}

/// The tokens of the group in `slot`, taken out of it: the group stays, empty, with its
/// delimiter and span. A group's tokens are shared with every copy of it, and iterating
/// shared tokens copies them all; taken out, they are moved. `None` for no group.
fn take_group(slot: &mut TokenTree) -> Option<TokenStream> {
    let TokenTree::Group(group) = slot else { return None };
    let mut empty = Group::new(group.delimiter(), TokenStream::new());
    empty.set_span(group.span());
    Some(std::mem::replace(group, empty).stream())
}

/// The attribute of `#![…]` at `i`.
fn inner_attribute(tokens: &[TokenTree], i: usize) -> Option<&proc_macro2::Group> {
    match (tokens.get(i), tokens.get(i + 1), tokens.get(i + 2)) {
        (Some(TokenTree::Punct(hash)), Some(TokenTree::Punct(bang)), Some(TokenTree::Group(g)))
            if hash.as_char() == '#'
                && bang.as_char() == '!'
                && g.delimiter() == Delimiter::Bracket =>
        {
            Some(g)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static NO_BUILD_CFGS: BuildCfgs = BuildCfgs::new();

    type Found = Vec<(String, Option<String>)>;
    type Modules = Vec<(String, Vec<String>)>;

    fn walk(file: &str, text: &str) -> (Found, Modules) {
        let path = Path::new(file);
        let mut walker = Walker::new(path, &NO_BUILD_CFGS, None);
        walker.walk(text.parse().unwrap(), path.parent().unwrap(), false, 0);
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
        let mut walker = Walker::new(path, &NO_BUILD_CFGS, None);
        walker.walk(text.parse().unwrap(), path.parent().unwrap(), false, 0);
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
            condition: None,
        };
        assert_eq!(decl.child_dir(Path::new("src/net.rs")), Path::new("src/net"));
        assert_eq!(decl.child_dir(Path::new("src/net/mod.rs")), Path::new("src/net"));
    }

    /// What the walk of `text` as `src/lib.rs` finds: includes and test line ranges.
    fn walked(text: &str) -> Walker<'static> {
        let mut walker = Walker::new(Path::new("src/lib.rs"), &NO_BUILD_CFGS, None);
        walker.walk(text.parse().unwrap(), Path::new("src"), false, 0);
        walker
    }

    #[test]
    fn only_code_a_build_may_compile_counts() {
        let text = r#"
#[cfg(not(test))]
const A: &str = include_str!("a.txt");
#[cfg(feature = "x")]
const B: &str = include_str!("b.txt");
#[cfg(any(test, unix))]
const C: &str = include_str!("c.txt");
fn f() {
    #[cfg(test)]
    let t = include_bytes!("t1.bin");
    let d = include_bytes!("d.bin");
    match x {
        #[cfg(test)]
        A => include_str!("t2.txt"),
        B => include_str!("e.txt"),
    }
}
#[cfg(test)]
#[macro_rules_attribute::apply(for_each_provider)]
mod tests {
    fn g() { include_bytes!("t3.bin"); }
}
mod inline {
    #![cfg(all(test, feature = "x"))]
    const T: &str = include_str!("t4.txt");
}
"#;
        let walker = walked(text);
        let found: Vec<String> = walker.found.iter().map(|i| i.code.clone()).collect();
        assert_eq!(
            found,
            [
                "include_str!(\"a.txt\")",
                "include_str!(\"b.txt\")",
                "include_str!(\"c.txt\")",
                "include_bytes!(\"d.bin\")",
                "include_str!(\"e.txt\")",
            ]
        );
        assert_eq!(walker.test_lines, [(9, 10), (13, 14), (18, 22), (24, 25)]);
    }

    #[test]
    fn a_file_under_inner_cfg_test_and_modules_only_tests_declare_are_test_code() {
        let walker = walked("//! docs\n#![cfg(test)]\nconst K: &str = include_str!(\"k\");\n");
        assert!(walker.found.is_empty());
        assert_eq!(walker.test_lines, [(1, usize::MAX)]);

        let text = "#[cfg(test)]\nmod tests;\n#[cfg(test)]\n#[path = \"t/h.rs\"]\npub(crate) mod helpers;\n#[cfg_attr(test, path = \"never.rs\")]\nmod real;\n";
        let walker = walked(text);
        let test_modules: Vec<String> =
            walker.test_modules.iter().map(|p| crate::base::format::slash_path(p)).collect();
        assert_eq!(test_modules, ["src/tests.rs", "src/tests/mod.rs", "src/t/h.rs"]);
        let modules: Vec<&[PathBuf]> =
            walker.modules.iter().map(|m| m.candidates.as_slice()).collect();
        assert_eq!(modules, [[PathBuf::from("src/real.rs"), PathBuf::from("src/real/mod.rs")]]);
    }

    #[test]
    fn deep_nesting_ends_the_walk_not_the_process() {
        let depth = 200_000;
        let text = format!("{}include_str!(\"x\"){}", "(".repeat(depth), ")".repeat(depth));
        let handle = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || {
                let mut walker = Walker::new(Path::new("src/lib.rs"), &NO_BUILD_CFGS, None);
                walker.walk(text.parse().unwrap(), Path::new("src"), false, 0);
                walker.found.len()
            })
            .unwrap();
        assert_eq!(handle.join().unwrap(), 0, "an include nested too deep is not searched");
    }
}
