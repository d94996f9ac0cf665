//! A crate's file in the sparse index (one JSON line per published version, read with
//! `crates-index`), and the questions the checks ask of it.

use std::cmp::Ordering;

use semver::Version;
use url::Url;

/// What the registry holds of one crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// The name as the registry spells it (crates.io keeps the first spelling).
    pub name: String,
    /// In the index's order (the order of publication).
    pub releases: Vec<Release>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    pub version: Version,
    pub yanked: bool,
    /// SHA-256 of the `.crate` (`cksum`).
    pub checksum: [u8; 32],
}

/// The URL of `name`'s index file (`se/rd/serde`, lowercased), or `None` for a name no
/// index can hold.
pub fn file_url(index: &Url, name: &str) -> Option<Url> {
    if name.is_empty() || !name.is_ascii() || name.contains(['/', '\\', '.', '?', '#', '%']) {
        return None;
    }
    let sparse = crates_index::SparseIndex::at_path(Default::default(), index.to_string());
    Url::parse(&sparse.crate_url(name)?).ok()
}

/// Parses an index file. A line that is not a valid entry is an error naming it: a check
/// never passes on a file it could not fully read.
pub fn parse(bytes: &[u8]) -> Result<Published, String> {
    let mut name = None;
    let mut releases = Vec::new();
    for (number, line) in bytes.split(|b| *b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let bad = |why: String| format!("line {} of the index file: {why}", number + 1);
        let entry = crates_index::Crate::from_slice(line).map_err(|e| bad(e.to_string()))?;
        let entry = entry.highest_version();
        let version = entry
            .version()
            .parse::<Version>()
            .map_err(|e| bad(format!("version `{}`: {e}", entry.version())))?;
        name.get_or_insert_with(|| entry.name().to_owned());
        releases.push(Release { version, yanked: entry.is_yanked(), checksum: *entry.checksum() });
    }
    Ok(Published { name: name.unwrap_or_default(), releases })
}

/// Versions as crates.io compares them: build metadata ignored.
pub fn same(a: &Version, b: &Version) -> bool {
    compare(a, b) == Ordering::Equal
}

pub fn compare(a: &Version, b: &Version) -> Ordering {
    (a.major, a.minor, a.patch, &a.pre).cmp(&(b.major, b.minor, b.patch, &b.pre))
}

impl Published {
    /// The release of `version` (build metadata ignored), yanked or not.
    pub fn release(&self, version: &Version) -> Option<&Release> {
        self.releases.iter().find(|r| same(&r.version, version))
    }

    /// The highest version published, yanked ones included.
    pub fn highest(&self) -> Option<&Release> {
        self.releases.iter().max_by(|a, b| compare(&a.version, &b.version))
    }

    /// The release a new `version` follows: the highest one below it that is not yanked.
    pub fn previous(&self, version: &Version) -> Option<&Release> {
        self.releases
            .iter()
            .filter(|r| !r.yanked && compare(&r.version, version) == Ordering::Less)
            .max_by(|a, b| compare(&a.version, &b.version))
    }

    pub fn yanked(&self) -> usize {
        self.releases.iter().filter(|r| r.yanked).count()
    }
}

/// The versions that may follow `previous` without skipping one: the next patch, minor
/// and major (for a pre-release, also its release and later pre-releases of it).
pub fn skipped(previous: &Version, next: &Version) -> bool {
    let base = |v: &Version| Version::new(v.major, v.minor, v.patch);
    let (from, to) = (base(previous), base(next));
    if !previous.pre.is_empty() && to == from {
        return false;
    }
    let candidates = [
        Version::new(from.major, from.minor, from.patch + 1),
        Version::new(from.major, from.minor + 1, 0),
        Version::new(from.major + 1, 0, 0),
    ];
    to > from && !candidates.contains(&to)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(name: &str, vers: &str, yanked: bool) -> String {
        format!(
            r#"{{"name":"{name}","vers":"{vers}","deps":[],"cksum":"{}","features":{{}},"yanked":{yanked}}}"#,
            "ab".repeat(32)
        )
    }

    #[test]
    fn parses_lines_and_names_a_bad_one() {
        let text = format!("{}\n{}\n", line("Demo", "1.0.0", false), line("Demo", "1.1.0", true));
        let published = parse(text.as_bytes()).unwrap();
        assert_eq!(published.name, "Demo");
        assert_eq!(published.releases.len(), 2);
        assert_eq!(published.yanked(), 1);
        assert_eq!(published.releases[0].checksum, [0xab; 32]);
        let broken = format!("{}\n{{\"name\": 1}}\n", line("demo", "1.0.0", false));
        let error = parse(broken.as_bytes()).unwrap_err();
        assert!(error.starts_with("line 2 of the index file"), "{error}");
    }

    #[test]
    fn versions_compare_without_build_metadata() {
        let text =
            [line("d", "1.0.0+a", false), line("d", "1.2.0", true), line("d", "1.1.0", false)]
                .join("\n");
        let published = parse(text.as_bytes()).unwrap();
        let v = |s: &str| s.parse::<Version>().unwrap();
        assert!(published.release(&v("1.0.0+b")).is_some());
        assert_eq!(published.highest().unwrap().version, v("1.2.0"));
        assert_eq!(published.previous(&v("1.3.0")).unwrap().version, v("1.1.0"));
        assert_eq!(published.previous(&v("0.1.0")), None);
    }

    #[test]
    fn a_skipped_version() {
        let v = |s: &str| s.parse::<Version>().unwrap();
        assert!(skipped(&v("1.2.0"), &v("1.4.0")));
        assert!(skipped(&v("1.2.0"), &v("3.0.0")));
        assert!(skipped(&v("0.3.1"), &v("0.3.3")));
        assert!(!skipped(&v("1.2.0"), &v("1.3.0")));
        assert!(!skipped(&v("1.2.9"), &v("2.0.0-rc.1")));
        assert!(!skipped(&v("2.0.0-rc.1"), &v("2.0.0")));
        assert!(!skipped(&v("1.2.0"), &v("1.2.1")));
    }

    #[test]
    fn index_paths() {
        let index = Url::parse("https://index.crates.io/").unwrap();
        let url = |n| file_url(&index, n).map(|u| u.to_string());
        assert_eq!(url("Serde").as_deref(), Some("https://index.crates.io/se/rd/serde"));
        assert_eq!(url("ab").as_deref(), Some("https://index.crates.io/2/ab"));
        assert_eq!(url("abc").as_deref(), Some("https://index.crates.io/3/a/abc"));
        assert_eq!(url("../x"), None);
    }
}
