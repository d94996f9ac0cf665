//! The site in a real browser: headless Chromium opens the demo's overview and crate pages
//! at 1280 px and 390 px and a script on the page reports what a reader would meet: the page
//! never scrolls sideways, every in-page link reaches an element, the crates table and the
//! section tabs show that they scroll where they do, and a blocked crate's page puts the
//! blockers (named in the banner, each a link to its card) before the card preview and the
//! file tree. axe-core (the file `$READINESS_AXE_JS` names, `axe.min.js`, which `.ci/run`
//! installs from the npm registry) audits the overview and a blocked crate's page at both
//! widths: no `serious` or `critical` violation. Locally a missing Chromium skips the test
//! and an unset `READINESS_AXE_JS` skips the audit, each saying why; under CI (`CI` or
//! `READINESS_AXE_JS` set) either missing is a failure.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// Whether a missing browser or axe fails the test instead of skipping it.
fn under_ci() -> bool {
    ["CI", "READINESS_AXE_JS"]
        .iter()
        .any(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()))
}

/// The axe-core script to audit with: `None` (the audit skipped, saying why) where
/// `READINESS_AXE_JS` is unset outside CI.
fn axe_script() -> Option<PathBuf> {
    match std::env::var_os("READINESS_AXE_JS").filter(|v| !v.is_empty()) {
        Some(path) => {
            let path = PathBuf::from(path);
            assert!(path.is_file(), "READINESS_AXE_JS names no file: {}", path.display());
            Some(path)
        }
        None if under_ci() => panic!("CI is set but READINESS_AXE_JS is not: run .ci/run"),
        None => {
            println!("axe audit skipped: READINESS_AXE_JS is unset (.ci/run installs axe-core)");
            None
        }
    }
}

/// The first Chromium found on `PATH`.
fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| {
            ["chromium", "chromium-browser", "google-chrome"].map(|name| dir.join(name))
        })
        .find(|candidate| candidate.is_file())
}

/// What the page reports about itself once loaded, as JSON in `<body data-result>`.
const PROBE: &str = r##"<script>
(() => {
  const root = document.documentElement;
  const scrolls = (selector) => [...document.querySelectorAll(selector)].map((el) => ({
    overflows: el.scrollWidth > el.clientWidth + 1,
    hint: getComputedStyle(el).backgroundImage.includes("radial-gradient"),
  }));
  const top = (selector) => {
    const el = document.querySelector(selector);
    return el ? el.getBoundingClientRect().top + window.scrollY : null;
  };
  const result = {
    width: root.clientWidth,
    overflow: root.scrollWidth - root.clientWidth,
    dead: [...document.querySelectorAll('a[href^="#"]')]
      .map((a) => decodeURIComponent(a.getAttribute("href").slice(1)))
      .filter((id) => id && !document.getElementById(id)),
    og: !!document.querySelector('meta[property="og:title"]'),
    tables: scrolls(".table-wrap"),
    tabs: scrolls(".on-this-page ul"),
    banner: [...document.querySelectorAll(".verdict-findings a")].map((a) => a.getAttribute("href")),
    checks: top("#checks"),
    card: top(".card-preview"),
    archive: top("#archive"),
  };
  window.parent.document.body.setAttribute("data-result", JSON.stringify(result));
})();
</script>"##;

/// Runs axe-core (loaded before it) on the page and reports the serious and critical
/// violations, rule and elements, as JSON in `<body data-axe>` of the frame.
const AXE_PROBE: &str = r##"<script>
axe.run(document).then((audit) => {
  const violations = audit.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ rule: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ")) }));
  window.parent.document.body.setAttribute("data-axe", JSON.stringify(violations));
}, (error) => window.parent.document.body.setAttribute("data-axe", JSON.stringify(String(error))));
</script>"##;

/// Opens `page` with `scripts` added at the end of its body in a frame `width` px wide (a
/// headless window is at least 500 px wide), and returns the JSON the scripts left in the
/// frame's `<body>` attribute `attribute`.
fn open_in_frame(
    chromium: &Path,
    page: &Path,
    width: u32,
    scripts: &str,
    attribute: &str,
) -> Value {
    let html = fs::read_to_string(page).unwrap();
    let probed = page.with_file_name("probed.html");
    fs::write(&probed, html.replace("</body>", &format!("{scripts}</body>"))).unwrap();
    let frame = page.with_file_name("frame.html");
    let style = format!("border:0;width:{width}px;height:1600px");
    let frame_html = format!(
        "<!doctype html><body style=\"margin:0\"><iframe src=\"probed.html\" style=\"{style}\"></iframe></body>"
    );
    fs::write(&frame, frame_html).unwrap();
    let profile = tempfile::tempdir().unwrap();
    let output = Command::new(chromium)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"])
        .args(["--disable-background-networking", "--disable-component-update", "--disable-sync"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(["--window-size=1400,1700", "--allow-file-access-from-files", "--dump-dom"])
        // The DOM is dumped once the page is idle, so that axe's promise has settled.
        .arg("--virtual-time-budget=30000")
        .arg(format!("file://{}", frame.display()))
        .output()
        .unwrap();
    fs::remove_file(&probed).unwrap();
    fs::remove_file(&frame).unwrap();
    let dom = String::from_utf8_lossy(&output.stdout);
    let marker = format!("{attribute}=\"");
    let start = dom.find(&marker).unwrap_or_else(|| panic!("no {attribute}: {dom}")) + marker.len();
    let end = start + dom[start..].find('"').unwrap();
    let json = dom[start..end]
        .replace("&quot;", "\"")
        .replace("&gt;", ">")
        .replace("&lt;", "<")
        .replace("&amp;", "&");
    serde_json::from_str(&json).unwrap()
}

/// What the probe reports about `page` at `width` px.
fn probe(chromium: &Path, page: &Path, width: u32) -> Value {
    open_in_frame(chromium, page, width, PROBE, "data-result")
}

/// The serious and critical violations axe finds on `page` at `width` px.
fn audit(chromium: &Path, axe: &Path, page: &Path, width: u32) -> Value {
    let scripts = format!("<script src=\"file://{}\"></script>{AXE_PROBE}", axe.display());
    open_in_frame(chromium, page, width, &scripts, "data-axe")
}

#[test]
fn the_demo_site_reads_well_in_a_browser_at_1280_and_390_pixels() {
    let Some(chromium) = chromium() else {
        assert!(!under_ci(), "CI is set but no chromium is on PATH: run .ci/run");
        println!("skipped: no chromium on PATH (apt-get install chromium to run this test)");
        return;
    };
    let axe = axe_script();
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo/Cargo.toml");
    let output = Command::new(env!("CARGO_BIN_EXE_cargo-readiness"))
        .arg("--manifest-path")
        .arg(&demo)
        .arg("--out")
        .arg(&site)
        .env("CARGO_TARGET_DIR", tmp.path().join("target"))
        .env("CARGO_READINESS_CACHE_DIR", tmp.path().join("cache"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
    let pages = ["index.html", "crates/demo-cli/index.html", "crates/demo-internal/index.html"];
    for width in [1280, 390] {
        for page in pages {
            let report = probe(&chromium, &site.join(page), width);
            let at = format!("{page} at {width} px: {report}");
            // The viewport, less a vertical scroll bar.
            let viewport = report["width"].as_u64().unwrap();
            assert!(viewport <= u64::from(width) && viewport + 30 > u64::from(width), "{at}");
            assert!(report["overflow"].as_i64().unwrap() <= 0, "scrolls sideways: {at}");
            assert_eq!(report["dead"], serde_json::json!([]), "links to nothing: {at}");
            assert_eq!(report["og"], true, "{at}");
            // Whatever scrolls sideways shows that it does.
            for part in ["tables", "tabs"] {
                for el in report[part].as_array().unwrap() {
                    assert!(el["hint"] == true, "{part} without a scroll hint: {at}");
                }
            }
        }
        if let Some(axe) = &axe {
            for page in ["index.html", "crates/demo-cli/index.html"] {
                let violations = audit(&chromium, axe, &site.join(page), width);
                assert_eq!(violations, serde_json::json!([]), "axe on {page} at {width} px");
            }
        }
        let index = probe(&chromium, &site.join("index.html"), width);
        let table_scrolls = index["tables"][0]["overflows"] == true;
        assert_eq!(table_scrolls, width == 390, "the crates table scrolls only when narrow");
        let blocked = probe(&chromium, &site.join("crates/demo-cli/index.html"), width);
        let banner: Vec<&str> =
            blocked["banner"].as_array().unwrap().iter().map(|h| h.as_str().unwrap()).collect();
        assert_eq!(
            banner,
            [
                "#check-description-missing",
                "#check-license-missing",
                "#check-keywords-too-many",
                "#check-category-unknown",
                "#check-readme-missing",
            ],
            "the banner names every blocker, then the warning"
        );
        let (checks, card, archive) =
            (blocked["checks"].as_f64(), blocked["card"].as_f64(), blocked["archive"].as_f64());
        assert!(checks < card && card < archive, "the fix first: {blocked}");
        if width == 390 {
            assert!(blocked["tabs"][0]["overflows"] == true, "the tabs scroll at 390 px");
        }
        let unpublished = probe(&chromium, &site.join("crates/demo-internal/index.html"), width);
        assert_eq!(unpublished["banner"], serde_json::json!([]), "no blockers when not published");
    }
    let unpublished = fs::read_to_string(site.join("crates/demo-internal/index.html")).unwrap();
    assert!(!unpublished.contains("Checksum crates.io will record"));
}
