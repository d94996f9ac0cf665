//! What of a crate's `[package.metadata.docs.rs]` a local documentation build on a stable
//! toolchain can apply, and what it leaves out.

/// The docs.rs settings that decide nothing a stable toolchain can reproduce here: other
/// targets than the host, and cargo arguments (docs.rs's nightly cargo).
const LEFT_OUT: &[&str] = &["default-target", "targets", "additional-targets", "cargo-args"];

/// The cfg that docs.rs sets for rustdoc and crates use to switch on nightly-only rustdoc
/// features (`#![cfg_attr(docsrs, feature(doc_cfg))]`), which a stable rustdoc refuses.
const NIGHTLY_CFG: &str = "docsrs";

/// A crate's docs.rs settings, as a documentation build here applies them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocsRsSettings {
    /// `--features …`, `--all-features`, `--no-default-features`.
    pub cargo_args: Vec<String>,
    /// `rustc-args`' cfgs, which docs.rs gives every compiler call (`RUSTFLAGS`): they can
    /// switch on dependencies (`[target.'cfg(…)'.dependencies]`).
    pub rustflags: Vec<String>,
    /// `rustdoc-args`' cfgs.
    pub rustdocflags: Vec<String>,
    /// The settings left out, as written (`targets`, `rustdoc-args --cfg docsrs`).
    pub left_out: Vec<String>,
}

impl DocsRsSettings {
    /// The settings of the table in a package's `metadata` (`package.metadata`).
    pub fn of(metadata: &serde_json::Value) -> Self {
        let Some(table) = crate::workspace::manifest::docs_rs(metadata).and_then(|t| t.as_object())
        else {
            return Self::default();
        };
        let mut settings = Self::default();
        let features: Vec<&str> = table
            .get("features")
            .and_then(serde_json::Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(serde_json::Value::as_str)
            .collect();
        if !features.is_empty() {
            settings.cargo_args.extend(["--features".to_owned(), features.join(" ")]);
        }
        let flag = |key: &str| table.get(key).and_then(serde_json::Value::as_bool) == Some(true);
        if flag("all-features") {
            settings.cargo_args.push("--all-features".to_owned());
        }
        if flag("no-default-features") {
            settings.cargo_args.push("--no-default-features".to_owned());
        }
        settings.left_out =
            LEFT_OUT.iter().filter(|k| table.contains_key(**k)).map(|k| (*k).to_owned()).collect();
        for (key, flags) in
            [("rustc-args", &mut settings.rustflags), ("rustdoc-args", &mut settings.rustdocflags)]
        {
            let args = table.get(key).and_then(serde_json::Value::as_array);
            let args: Vec<&str> = args.into_iter().flatten().filter_map(|a| a.as_str()).collect();
            let (cfgs, left_out) = cfgs(&args);
            flags.extend(cfgs);
            settings.left_out.extend(left_out.into_iter().map(|arg| format!("{key} {arg}")));
        }
        settings
    }

    /// Whether the documentation build is the build's own (default features, no flags).
    pub fn is_default(&self) -> bool {
        self.cargo_args.is_empty() && self.rustflags.is_empty() && self.rustdocflags.is_empty()
    }
}

/// The `--cfg` flags among `args` that a stable toolchain takes (as `--cfg NAME` pairs), and
/// the rest as written.
fn cfgs(args: &[&str]) -> (Vec<String>, Vec<String>) {
    let (mut kept, mut left_out) = (Vec::new(), Vec::new());
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let cfg = match arg.strip_prefix("--cfg=") {
            Some(cfg) => Some(cfg),
            None if *arg == "--cfg" => args.next().copied(),
            None => None,
        };
        match cfg {
            Some(cfg) if cfg != NIGHTLY_CFG && !cfg.is_empty() => {
                kept.extend(["--cfg".to_owned(), cfg.to_owned()]);
            }
            Some(cfg) => left_out.push(format!("--cfg {cfg}")),
            None => left_out.push((*arg).to_owned()),
        }
    }
    (kept, left_out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_settings_a_stable_toolchain_honours() {
        let metadata = serde_json::json!({ "docs": { "rs": {
            "features": ["a", "b"], "no-default-features": true,
            "targets": ["wasm32-unknown-unknown"],
            "rustdoc-args": ["--cfg", "docsrs", "--cfg", "tokio_unstable", "--html-in-header", "x.html"],
            "rustc-args": ["--cfg=tokio_unstable"],
        }}});
        let settings = DocsRsSettings::of(&metadata);
        assert_eq!(settings.cargo_args, ["--features", "a b", "--no-default-features"]);
        assert_eq!(settings.rustflags, ["--cfg", "tokio_unstable"]);
        assert_eq!(settings.rustdocflags, ["--cfg", "tokio_unstable"]);
        assert_eq!(
            settings.left_out,
            [
                "targets",
                "rustdoc-args --cfg docsrs",
                "rustdoc-args --html-in-header",
                "rustdoc-args x.html"
            ]
        );
        assert!(!settings.is_default());
        assert_eq!(DocsRsSettings::of(&serde_json::json!({})), DocsRsSettings::default());
        assert!(DocsRsSettings::default().is_default());
    }
}
