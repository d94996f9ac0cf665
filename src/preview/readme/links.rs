//! Relative links and images as crates.io treats them: kept, rewritten to the repository's
//! page for GitHub, GitLab and Bitbucket, or removed; and which rewritten ones point at a
//! path the repository does not hold.

use pulldown_cmark::CowStr;

use super::{BrokenLink, RepoLinks};

/// What becomes of a relative URL on crates.io.
enum Rewrite {
    Keep,
    To(String),
    Removed(&'static str),
}

const MEDIA: &[&str] = &["svg", "png", "jpg", "jpeg", "gif", "mp4", "webm", "ogg", "webp"];

fn rewrite(url: &str, links: &RepoLinks) -> Rewrite {
    if url.is_empty()
        || url.starts_with('#')
        || url::Url::parse(url).is_ok()
        || url.starts_with("//")
    {
        return Rewrite::Keep;
    }
    if url.starts_with("::") {
        return Rewrite::Removed("a rustdoc path, which crates.io removes");
    }
    let Some(base) = links.repository.and_then(supported_repository) else {
        return Rewrite::Removed(
            "relative, and crates.io rewrites relative links only for GitHub, GitLab or Bitbucket repositories",
        );
    };
    let path = url.trim_start_matches('/');
    let prefix = if links.path_in_repo.is_empty() {
        String::new()
    } else {
        format!("{}/", links.path_in_repo)
    };
    let extension = path
        .split(['?', '#'])
        .next()
        .unwrap_or(path)
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase());
    match extension.as_deref() {
        Some(ext) if MEDIA.contains(&ext) => {
            let sanitize = if ext == "svg" { "?sanitize=true" } else { "" };
            Rewrite::To(format!("{base}/raw/HEAD/{prefix}{path}{sanitize}"))
        }
        _ => Rewrite::To(format!("{base}/blob/HEAD/{prefix}{path}")),
    }
}

/// `https://github.com/owner/repo(.git)` → `https://github.com/owner/repo`, for the hosts
/// crates.io rewrites links for.
fn supported_repository(repository: &str) -> Option<String> {
    let url = url::Url::parse(repository).ok()?;
    let host = url.host_str()?;
    if !matches!(host, "github.com" | "gitlab.com" | "bitbucket.org") {
        return None;
    }
    let trimmed = repository.trim_end_matches('/');
    Some(trimmed.strip_suffix(".git").unwrap_or(trimmed).to_owned())
}

/// The repository path a relative URL points at (for the existence check).
fn repository_path(url: &str, links: &RepoLinks) -> Option<String> {
    let path = url.trim_start_matches('/').split(['?', '#']).next()?;
    let joined = if links.path_in_repo.is_empty() {
        path.to_owned()
    } else {
        format!("{}/{path}", links.path_in_repo)
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

/// The URL crates.io will use, or `None` when it removes the link; records what breaks.
pub(super) fn checked<'a>(
    url: &CowStr<'a>,
    links: &RepoLinks,
    exists: &dyn Fn(&str) -> Option<bool>,
    broken: &mut Vec<BrokenLink>,
) -> Option<CowStr<'a>> {
    match rewrite(url, links) {
        Rewrite::Keep => Some(url.clone()),
        Rewrite::Removed(why) => {
            broken.push(BrokenLink { url: url.to_string(), why: why.into() });
            None
        }
        Rewrite::To(rewritten) => {
            let missing =
                repository_path(url, links).is_none_or(|path| exists(&path) == Some(false));
            if missing {
                broken
                    .push(BrokenLink { url: url.to_string(), why: "not in the repository".into() });
            }
            Some(rewritten.into())
        }
    }
}
