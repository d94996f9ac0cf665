//! Attacks on what issue 26 added: README heading anchors (a README must not steer the
//! reader to, or shadow, the report's own sections) and the tag trees `--baseline auto`
//! reads to tell whether a bare `v1.2.3` tag is a crate's release (hostile git objects:
//! read by path, bounded, never followed through a link).

use std::fs;

use super::common::repo::{git, write};
use super::{PACKAGE, report, site_run};

/// A README's `[x](#checks)` or `[y](#check-license-missing)` would jump into the report's own
/// sections (a "verified ✓" that leads to the scorecard), and its headings' ids could shadow
/// them. Links reach only the README's own prefixed ids, and the page's ids stay unique.
#[test]
fn a_readme_cannot_link_into_or_shadow_the_reports_sections() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    let readme = "# victim\n\n[verified ✓](#checks) [license](#check-license-missing)\n\n## Checks\n\n## Archive\n\n## \"><script>alert(1)</script>\n";
    write(
        &ws,
        &[
            ("Cargo.toml", &format!("{PACKAGE}readme = \"README.md\"\n")),
            ("src/lib.rs", "pub fn f() {}\n"),
            ("README.md", readme),
        ],
    );
    let (output, site) = site_run(&ws.join("Cargo.toml"), tmp.path(), &[]);
    assert!(output.status.code().unwrap() < 2, "{}", String::from_utf8_lossy(&output.stderr));
    let page = fs::read_to_string(site.join("crates/victim/index.html")).unwrap();
    for ours in ["checks", "archive", "check-license-missing"] {
        assert!(!page.contains(&format!("href=\"#{ours}\" rel")), "the README links to #{ours}");
        assert_eq!(page.matches(&format!(" id=\"{ours}\"")).count(), 1, "#{ours} is shadowed");
    }
    assert!(page.contains(
        "href=\"#user-content-checks\" rel=\"nofollow noopener noreferrer\">verified ✓</a>"
    ));
    assert!(page.contains("id=\"user-content-checks\""));
    assert!(!page.contains("<script>alert"), "a heading's text is text");
    assert!(page.contains("id=\"user-content-alert1\""), "the slug of its text");
}

/// A bare tag whose tree holds the crate's manifest as a link to a matching manifest outside
/// the repository (`v0.1.0`), or as a matching blob past the bound (`v0.0.9`), is not taken
/// as the crate's release: nothing outside is read, and the crate is new, not an error.
#[cfg(unix)]
#[test]
fn a_tag_tree_with_a_linked_or_huge_manifest_is_not_a_release() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    let workspace = "[workspace]\nmembers = [\"victim\", \"other\"]\nresolver = \"2\"\n";
    let other = PACKAGE.replace("victim", "other");
    write(
        &ws,
        &[
            ("Cargo.toml", workspace),
            ("victim/src/lib.rs", "pub fn f() {}\n"),
            ("other/Cargo.toml", &other),
            ("other/src/lib.rs", "pub fn g() {}\n"),
        ],
    );
    git(&ws, &["init", "-q"]);
    // v0.1.0: the manifest is a link to a manifest outside the repository that would match
    // the tag; v0.0.9: a manifest that would match, past the 1 MiB bound.
    let outside = tmp.path().join("outside/Cargo.toml");
    write(tmp.path(), &[("outside/Cargo.toml", PACKAGE)]);
    std::os::unix::fs::symlink(&outside, ws.join("victim/Cargo.toml")).unwrap();
    super::common::repo::commit(&ws, "linked manifest");
    git(&ws, &["tag", "v0.1.0"]);
    fs::remove_file(ws.join("victim/Cargo.toml")).unwrap();
    let huge = format!("{}# {}\n", PACKAGE.replace("0.1.0", "0.0.9"), "x".repeat(2 << 20));
    fs::write(ws.join("victim/Cargo.toml"), huge).unwrap();
    super::common::repo::commit(&ws, "huge manifest");
    git(&ws, &["tag", "v0.0.9"]);
    fs::write(ws.join("victim/Cargo.toml"), PACKAGE).unwrap();
    super::common::repo::commit(&ws, "now");
    let baseline = ["--baseline".as_ref(), "auto".as_ref()];
    let (output, out) = super::site_run_with(&ws.join("Cargo.toml"), tmp.path(), &baseline, &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let report = report(&out);
    let victim =
        report["crates"].as_array().unwrap().iter().find(|c| c["name"] == "victim").unwrap();
    assert_eq!(victim["baseline"]["status"], "new", "{}", victim["baseline"]);
    assert!(stderr.contains("baseline victim: no release tag found: new"), "{stderr}");
}
