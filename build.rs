//! Embeds the default theme (`themes/default/`) and the guide (`content/`, `book.toml`) into
//! the binary, so that the tool works on any workspace with nothing installed beside it.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = String::new();
    for (name, dir) in [("THEME", "themes/default"), ("GUIDE", "content")] {
        println!("cargo:rerun-if-changed={dir}");
        let base = root.join(dir);
        let mut files: Vec<String> = walkdir(&base)
            .into_iter()
            .map(|p| p.strip_prefix(&base).unwrap().to_string_lossy().replace('\\', "/"))
            .collect();
        files.sort();
        writeln!(out, "pub static {name}: &[(&str, &[u8])] = &[").unwrap();
        for file in files {
            writeln!(
                out,
                "    ({file:?}, include_bytes!(concat!(env!(\"CARGO_MANIFEST_DIR\"), {:?}))),",
                format!("/{dir}/{file}")
            )
            .unwrap();
        }
        writeln!(out, "];").unwrap();
    }
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("embedded.rs");
    std::fs::write(dest, out).unwrap();
}

/// Every file below `dir`, without following symlinks, in no particular order.
fn walkdir(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            match entry.file_type() {
                Ok(t) if t.is_dir() => stack.push(path),
                Ok(t) if t.is_file() => files.push(path),
                _ => {}
            }
        }
    }
    files
}
