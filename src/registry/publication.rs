//! How a version was published, as the registry's web API records it (crates.io's
//! `GET /api/v1/crates/{name}/{version}`): its trusted-publishing record (`trustpub_data`:
//! `provider`, `repository`, the commit `sha`, the CI run), or, published with an API
//! token, who published it (`published_by`). `verify --published` holds the recorded
//! commit to the signed-off one.

use serde_json::Value;
use url::Url;

use super::Registry;
use super::http::{Body, Freshness};

/// The API's answer for one version is a few kilobytes.
const RECORD_LIMIT: u64 = 1 << 20;

/// What the registry records of how a version was published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Publication {
    /// Through trusted publishing: the CI provider, the repository (or GitLab project) and
    /// the commit, when recorded.
    Trusted { provider: String, repository: String, commit: Option<String> },
    /// With an API token: no trusted-publishing record; the publisher's login, when said.
    Token { by: Option<String> },
    /// The registry has no web API (`config.json` names none), or no record of the version.
    NoRecord,
}

impl Registry<'_> {
    /// Asks the registry's web API how `name` `version` was published.
    pub fn publication(&self, name: &str, version: &str) -> Result<Publication, String> {
        let Some(api) = &self.config.api else { return Ok(Publication::NoRecord) };
        let text = format!("{}/api/v1/crates/{name}/{version}", api.trim_end_matches('/'));
        let url = Url::parse(&text).map_err(|e| format!("{text}: {e}"))?;
        // As for downloads: a web address, plain http only where the index itself is.
        let index_scheme = self.source().index.scheme();
        if !(url.scheme() == "https" || url.scheme() == index_scheme && url.scheme() == "http") {
            return Err(format!("{url}: config.json's API URL is not https"));
        }
        match self.client.get(&url, Freshness::Current, RECORD_LIMIT)? {
            Body::NotFound => Ok(Publication::NoRecord),
            Body::Found(bytes) => parse(&bytes).map_err(|why| format!("{url}: {why}")),
        }
    }
}

fn parse(bytes: &[u8]) -> Result<Publication, String> {
    let answer: Value = serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))?;
    let version = answer.get("version").ok_or("the answer holds no `version`")?;
    let Some(data) = version.get("trustpub_data").filter(|d| !d.is_null()) else {
        let by = version.pointer("/published_by/login").and_then(Value::as_str);
        return Ok(Publication::Token { by: by.map(str::to_owned) });
    };
    let text = |key: &str| data.get(key).and_then(Value::as_str).map(str::to_owned);
    Ok(Publication::Trusted {
        provider: text("provider").unwrap_or_else(|| "?".into()),
        repository: text("repository")
            .or_else(|| text("project_path"))
            .unwrap_or_else(|| "?".into()),
        commit: text("sha"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_record_crates_io_answers() {
        let trusted = br#"{"version":{"num":"1.0.0","published_by":null,"trustpub_data":{"provider":"github","repository":"o/r","run_id":"1","sha":"abc"}}}"#;
        assert_eq!(
            parse(trusted).unwrap(),
            Publication::Trusted {
                provider: "github".into(),
                repository: "o/r".into(),
                commit: Some("abc".into())
            }
        );
        let token = br#"{"version":{"published_by":{"id":1,"login":"ada"},"trustpub_data":null}}"#;
        assert_eq!(parse(token).unwrap(), Publication::Token { by: Some("ada".into()) });
        assert!(parse(b"{}").unwrap_err().contains("no `version`"));
    }
}
