//! Time to render a 100 KB README as crates.io would: `cargo bench --bench readme`.
//!
//! The README mixes prose, links, tables and fenced code in Rust, TOML, shell and JSON; the
//! syntax set is loaded once before timing, as one run of the tool does.

use std::time::Instant;

use cargo_readiness::preview::readme::{RepoLinks, render_file, syntaxes};

fn main() {
    let mut readme = String::new();
    let mut section = 0;
    while readme.len() < 100 * 1024 {
        section += 1;
        readme.push_str(&format!(
            "## Section {section}\n\nSome prose with *emphasis*, `code`, a [relative link](docs/page{section}.md) and an [absolute one](https://example.com/{section}).\n\n| key | value |\n|-----|-------|\n| a{section} | {section} |\n| b | c |\n\n```rust\nfn section_{section}(x: u64) -> u64 {{\n    // a comment\n    x.wrapping_mul({section}) + 1\n}}\n```\n\n```toml\n[dependencies]\ndemo = {{ version = \"0.{section}\", features = [\"a\"] }}\n```\n\n```sh\ncargo add demo@0.{section}\n```\n\n```json\n{{\"section\": {section}, \"ok\": true}}\n```\n\n"
        ));
    }
    let links =
        RepoLinks { repository: Some("https://github.com/o/r"), path_in_repo: "crates/demo" };
    syntaxes(); // loaded once per run, before any README
    let exists = |_: &str| Some(true);
    render_file("README.md", &readme, &links, &exists); // warm up
    const N: u32 = 20;
    let start = Instant::now();
    let mut bytes = 0;
    for _ in 0..N {
        bytes += render_file("README.md", &readme, &links, &exists).html.len();
    }
    let mean = start.elapsed().as_secs_f64() * 1000.0 / f64::from(N);
    println!(
        "{} KiB README: {mean:.1} ms per render ({} KiB of HTML)",
        readme.len() / 1024,
        bytes / N as usize / 1024
    );
}
