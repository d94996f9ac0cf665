//! Which release tag `--baseline auto` compares a crate with: its latest release at or below
//! its current version, by the conventions workspaces use. A tag that names the crate
//! (`<name>-v1.2.3`, `<name>-1.2.3`, `<name>@1.2.3`, `<name>/v1.2.3`, `<name>/1.2.3`) is
//! that crate's. A bare tag (`v1.0.228` as serde and mdBook tag, `15.2.0` as ripgrep does)
//! names no crate, so it is taken only where it is unambiguous: the repository has a single
//! publishable crate, or the tag's tree holds the crate, at its path, at that very version
//! (a workspace that releases its members together). Tag trees are hostile git objects:
//! only the two manifests are read, by path, each bounded.

use std::path::Path;

use semver::Version;

use crate::review::revision::Tag;

/// The most a manifest read from a tag's tree may weigh.
const MANIFEST_BYTES: u64 = 1 << 20;

/// The version `tag` names for the crate `name`, and whether the tag names the crate
/// (`false`: a bare `v1.2.3` or `1.2.3`).
fn version_of(tag: &str, name: &str) -> Option<(Version, bool)> {
    let named = tag.strip_prefix(name).and_then(|rest| {
        ["-v", "-", "@", "/v", "/"]
            .iter()
            .find_map(|separator| Version::parse(rest.strip_prefix(separator)?).ok())
    });
    match named {
        Some(version) => Some((version, true)),
        None => Version::parse(tag.strip_prefix('v').unwrap_or(tag)).ok().map(|v| (v, false)),
    }
}

/// The latest release of `name` at or below `version` among `tags`: the highest version,
/// a tag that names the crate before a bare one of the same version. A bare tag counts only
/// when `bare_holds(tag, its version)` says the crate was released at it.
pub fn release_tag<'t>(
    tags: &'t [Tag],
    name: &str,
    version: &Version,
    mut bare_holds: impl FnMut(&Tag, &Version) -> bool,
) -> Option<&'t Tag> {
    let mut candidates: Vec<(Version, bool, &Tag)> = tags
        .iter()
        .filter_map(|tag| version_of(&tag.name, name).map(|(v, named)| (v, named, tag)))
        .filter(|(released, _, _)| released.cmp_precedence(version).is_le())
        .collect();
    candidates.sort_by(|(a, a_named, x), (b, b_named, y)| {
        b.cmp_precedence(a).then(b_named.cmp(a_named)).then_with(|| y.name.cmp(&x.name))
    });
    candidates
        .into_iter()
        .find(|(released, named, tag)| *named || bare_holds(tag, released))
        .map(|(_, _, tag)| tag)
}

/// Reads crate versions from the trees of tagged commits.
pub struct TagTrees {
    repo: Option<gix::Repository>,
}

impl TagTrees {
    /// The repository whose work tree holds `dir` (none: every look-up finds nothing).
    pub fn open(dir: &Path) -> TagTrees {
        TagTrees { repo: gix::discover(dir).ok() }
    }

    /// The version of the crate `name` whose manifest is at `manifest` (a path from the
    /// repository root) in `commit`'s tree, `version.workspace = true` read from the
    /// workspace manifest at `workspace_manifest`; `None` when the crate is not there under
    /// that name, or anything is unreadable, too large or malformed.
    pub fn version_at(
        &self,
        commit: &str,
        manifest: &str,
        workspace_manifest: &str,
        name: &str,
    ) -> Option<Version> {
        let package = self.manifest_at(commit, manifest)?;
        let package = package.get("package")?.as_table()?;
        if package.get("name")?.as_str()? != name {
            return None;
        }
        let version = match package.get("version")? {
            toml::Value::String(version) => version.clone(),
            inherited if inherited.get("workspace")?.as_bool()? => {
                let workspace = self.manifest_at(commit, workspace_manifest)?;
                workspace.get("workspace")?.get("package")?.get("version")?.as_str()?.to_owned()
            }
            _ => return None,
        };
        Version::parse(&version).ok()
    }

    fn manifest_at(&self, commit: &str, path: &str) -> Option<toml::Table> {
        let repo = self.repo.as_ref()?;
        let id = gix::ObjectId::from_hex(commit.as_bytes()).ok()?;
        let tree = repo.find_commit(id).ok()?.tree().ok()?;
        let entry = tree.lookup_entry_by_path(path).ok()??;
        if !entry.mode().is_blob() {
            return None;
        }
        let header = repo.find_header(entry.oid()).ok()?;
        if header.size() > MANIFEST_BYTES {
            return None;
        }
        let blob = entry.object().ok()?;
        std::str::from_utf8(&blob.data).ok()?.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(name: &str) -> Tag {
        Tag { name: name.into(), commit: "c".into() }
    }

    fn latest(tags: &[&str], name: &str, version: &str, bare: bool) -> Option<String> {
        let tags: Vec<Tag> = tags.iter().map(|t| tag(t)).collect();
        let version = Version::parse(version).unwrap();
        release_tag(&tags, name, &version, |_, _| bare).map(|t| t.name.clone())
    }

    #[test]
    fn tags_that_name_the_crate() {
        let tags = ["a-v1.0.0", "a-1.2.0", "a-v2.0.0", "a@1.1.0", "ab-v1.9.0", "a-b-1.8.0"];
        assert_eq!(latest(&tags, "a", "1.9.0", false).as_deref(), Some("a-1.2.0"));
        assert_eq!(latest(&tags, "ab", "1.9.0", false).as_deref(), Some("ab-v1.9.0"));
        assert_eq!(latest(&tags, "a", "1.0.0", false).as_deref(), Some("a-v1.0.0"));
        assert_eq!(latest(&tags, "a-b", "2.0.0", false).as_deref(), Some("a-b-1.8.0"));
        assert_eq!(latest(&tags, "b", "1.9.0", true), None);
        let slashed = ["grep-cli/v0.1.11", "grep-cli/0.1.12", "grep-cli/v0.2.0"];
        assert_eq!(
            latest(&slashed, "grep-cli", "0.1.12", false).as_deref(),
            Some("grep-cli/0.1.12")
        );
    }

    #[test]
    fn bare_tags_only_where_the_crate_was_released_at_them() {
        let tags = ["v1.0.227", "v1.0.228", "15.2.0", "0.5.4", "a-v1.0.100"];
        // serde: every member at the workspace's version.
        assert_eq!(latest(&tags, "serde", "1.0.229", true).as_deref(), Some("v1.0.228"));
        assert_eq!(latest(&tags, "serde", "1.0.228", true).as_deref(), Some("v1.0.228"));
        assert_eq!(latest(&tags, "mdbook", "0.5.5", true).as_deref(), Some("0.5.4"));
        assert_eq!(latest(&tags, "ripgrep", "15.2.0", true).as_deref(), Some("15.2.0"));
        // A bare tag the crate was not released at is not its release.
        assert_eq!(latest(&tags, "serde", "1.0.229", false), None);
        assert_eq!(latest(&tags, "a", "1.0.229", false).as_deref(), Some("a-v1.0.100"));
        // A tag naming the crate wins over a bare one of the same version.
        let same = ["v1.0.0", "a-v1.0.0"];
        assert_eq!(latest(&same, "a", "1.0.0", true).as_deref(), Some("a-v1.0.0"));
    }

    #[test]
    fn a_bare_tag_is_asked_about_latest_first_and_only_when_needed() {
        let tags: Vec<Tag> =
            ["v0.1.0", "v0.2.0", "v0.3.0", "v9.0.0"].into_iter().map(tag).collect();
        let mut asked = Vec::new();
        let found = release_tag(&tags, "a", &Version::new(1, 0, 0), |tag, _| {
            asked.push(tag.name.clone());
            tag.name == "v0.2.0"
        });
        assert_eq!(found.unwrap().name, "v0.2.0");
        assert_eq!(asked, ["v0.3.0", "v0.2.0"]);
    }
}
