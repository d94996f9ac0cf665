//! Sample cards shared by the tests, the snapshots and the benchmark.
#![allow(dead_code)]

use cargo_readiness::site::card::{CardData, Verdict};

pub fn base() -> CardData {
    CardData {
        name: "serde_json".into(),
        version: "1.0.145".into(),
        description: Some("A JSON serialization file format".into()),
        keywords: vec!["json".into(), "serde".into(), "serialization".into()],
        license: Some("MIT OR Apache-2.0".into()),
        compressed_size: 155_648,
        lines_of_code: Some(17_902),
        releases: Some(132),
        verdict: Verdict::Ready,
    }
}

/// A typical crate with every field.
pub fn typical() -> CardData {
    CardData {
        name: "cargo-readiness".into(),
        version: "0.1.0".into(),
        description: Some(
            "Release-readiness reports for Cargo workspaces: exactly what cargo publish would \
             upload, whether crates.io will accept it, and in which order to publish"
                .into(),
        ),
        keywords: vec![
            "cargo".into(),
            "publish".into(),
            "release".into(),
            "crates-io".into(),
            "subcommand".into(),
        ],
        license: Some("MIT OR Apache-2.0".into()),
        compressed_size: 84_213,
        lines_of_code: Some(12_480),
        releases: None,
        verdict: Verdict::Warnings,
    }
}

/// Nothing but the required fields.
pub fn minimal() -> CardData {
    CardData {
        name: "tiny".into(),
        version: "0.0.1".into(),
        description: None,
        keywords: vec![],
        license: None,
        compressed_size: 1499,
        lines_of_code: None,
        releases: None,
        verdict: Verdict::Skipped,
    }
}

/// Everything too long, and hostile text.
pub fn overflow() -> CardData {
    CardData {
        name: "an-extraordinarily-long-crate-name-that-cannot-possibly-fit-on-one-line".into(),
        version: "12345.67890.12345-alpha.1+build.20260101.very.long.metadata.string".into(),
        description: Some(format!(
            "  A   description\twith\n\n   messy whitespace and a verylongwordthatgoesonandon{} \
             followed by <script>alert('x')</script> &amp; more text that keeps going well past \
             three lines of the card so that it must end with an ellipsis somewhere soon enough.",
            "andon".repeat(30)
        )),
        keywords: (0..12).map(|i| format!("keyword-number-{i}")).collect(),
        license: Some(
            "Apache-2.0 WITH LLVM-exception OR MIT OR BSD-3-Clause OR GPL-3.0-or-later".into(),
        ),
        compressed_size: 10 * 1024 * 1024 + 1,
        lines_of_code: Some(1_500_000),
        releases: Some(1499),
        verdict: Verdict::Blocked,
    }
}

/// Combining marks, right-to-left scripts, emoji, CJK.
pub fn unicode() -> CardData {
    CardData {
        name: "ünïcödé-Δ-ζ̶̡̛̖̗̘̙̜̝̞̟̠̤̥̦̩̪̫̬̭̮̯̰̱̲̳̹̺̻̼ͅa̸̢̧̨̛̛̛̛̛̛̛̛̛̛̛̛̛̛̛̛̛̛̛̛̛̛̛̛".into(),
        version: "1.0.0".into(),
        description: Some(
            "مكتبة لتحليل النصوص — ספרייה לניתוח טקסט — 🦀 Rust 🦀 👩‍👩‍👧‍👦 🇺🇸 — 日本語のテキスト \
             處理 한국어 — e\u{301}\u{302}\u{303} — \u{202E}reversed\u{202C} \u{200D}\u{FE0F}"
                .into(),
        ),
        keywords: vec!["日本語".into(), "عربي".into(), "🦀".into(), "עברית".into()],
        license: Some("MIT\u{0007}".into()),
        compressed_size: 1500,
        lines_of_code: Some(1499),
        releases: Some(1),
        verdict: Verdict::Ready,
    }
}

pub fn all() -> Vec<(&'static str, CardData)> {
    let long_name = CardData { name: "x".repeat(500), ..base() };
    let long_desc = CardData { description: Some("word ".repeat(2000)), ..base() };
    let many_keywords = CardData { keywords: (0..40).map(|i| format!("k{i}")).collect(), ..base() };
    let empty = CardData {
        description: Some("   \n\t ".into()),
        keywords: vec![String::new(), "  ".into()],
        license: Some(String::new()),
        ..minimal()
    };
    let emoji = CardData {
        name: "🦀🦀🦀🦀🦀🦀🦀🦀🦀🦀🦀🦀🦀🦀🦀🦀🦀🦀🦀🦀🦀🦀".into(),
        description: Some("😀 🎉 👍🏽 ❤️ 🏳️‍🌈 ".repeat(20)),
        keywords: vec!["🚀".into(), "✨".into()],
        ..base()
    };
    let cjk = CardData {
        name: "中文名字的板条箱中文名字的板条箱中文名字的板条箱".into(),
        description: Some(
            "这是一个非常长的中文描述，没有任何空格，所以必须在字素簇之间断开。".repeat(5),
        ),
        keywords: vec!["中文".into(), "日本語".into(), "한국어".into()],
        license: Some("木兰宽松许可证".into()),
        ..base()
    };
    let html = CardData {
        name: "<script>alert(1)</script>".into(),
        version: "\"><img src=x onerror=alert(1)>".into(),
        description: Some("<b>bold</b> &lt;escaped&gt; </textarea><script>".into()),
        keywords: vec!["<script>".into(), "&amp;".into()],
        license: Some("<MIT>".into()),
        ..base()
    };
    let zalgo = CardData {
        name: format!("Z{}", "\u{0336}\u{0321}\u{031B}\u{0316}".repeat(60)),
        description: Some(format!("a{}", "\u{0300}\u{0301}\u{0302}\u{0303}".repeat(200))),
        ..base()
    };
    vec![
        ("base", base()),
        ("typical", typical()),
        ("minimal", minimal()),
        ("overflow", overflow()),
        ("unicode", unicode()),
        ("long_name", long_name),
        ("long_desc", long_desc),
        ("many_keywords", many_keywords),
        ("empty", empty),
        ("emoji", emoji),
        ("cjk", cjk),
        ("html", html),
        ("zalgo", zalgo),
        (
            "huge",
            CardData {
                compressed_size: u64::MAX,
                lines_of_code: Some(u64::MAX),
                releases: Some(u64::MAX),
                ..overflow()
            },
        ),
    ]
}
