//! The registry's HTTP client: ureq over rustls (the platform's certificates), a bounded
//! number of requests at a time, cargo's timeout (`CARGO_HTTP_TIMEOUT`, 30 s), one retry,
//! and a cache of responses in the tool's cache folder.
//!
//! Index files are kept for as long as the server's `Cache-Control: max-age` says (five
//! minutes when it says nothing), then revalidated with the validators it sent (`ETag`,
//! `Last-Modified`): a CI re-run asks nothing, or gets `304 Not Modified`. Downloads are
//! named by their checksum and never change: kept until swept (a missing one is asked
//! again after five minutes).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ureq::unversioned::resolver::{ResolvedSocketAddrs, Resolver};
use url::Url;

use super::source::Source;
use crate::base::cache::BlobStore;

/// Requests in flight at once.
pub const CONCURRENCY: usize = 8;
/// How long an index file is fresh when the server does not say.
const DEFAULT_FRESH: Duration = Duration::from_secs(300);
/// After this many requests fail for want of an answer, the others are not sent: an
/// unreachable registry costs a few timeouts, never one per crate.
const GIVE_UP_AFTER: usize = 3;

/// How long a response stays usable without asking again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// An index file: the server's `max-age`, then revalidated.
    Index,
    /// An index file, revalidated now whatever its age (after publishing).
    Current,
    /// A download named by its checksum: forever (the caller checks the checksum).
    Immutable,
}

/// A successful answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    Found(Vec<u8>),
    /// 404, 410 or 451: the registry has no such file (cargo reads them the same way).
    NotFound,
}

pub struct Client<'a> {
    agent: ureq::Agent,
    source: Source,
    store: &'a BlobStore,
    pool: rayon::ThreadPool,
    /// Set once `config.json` says the registry requires authentication.
    send_token: AtomicBool,
    unanswered: AtomicUsize,
    requests: AtomicUsize,
}

/// What the cache keeps of a response, before its body.
#[derive(Debug, Serialize, Deserialize)]
struct Stored {
    found: bool,
    etag: Option<String>,
    last_modified: Option<String>,
    /// Seconds since the epoch when it was fetched or last revalidated.
    stored: u64,
    /// Seconds it stays fresh after `stored`; `None`: forever.
    fresh_for: Option<u64>,
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// `CARGO_HTTP_TIMEOUT` (seconds), as cargo reads it; 30 s by default.
fn timeout() -> Duration {
    std::env::var("CARGO_HTTP_TIMEOUT")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|&s| s > 0)
        .map_or(Duration::from_secs(30), Duration::from_secs)
}

impl<'a> Client<'a> {
    pub fn new(source: Source, store: &'a BlobStore) -> Client<'a> {
        let tls = ureq::tls::TlsConfig::builder()
            .root_certs(ureq::tls::RootCerts::PlatformVerifier)
            .build();
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(timeout()))
            .http_status_as_error(false)
            .max_redirects(5)
            .redirect_auth_headers(ureq::config::RedirectAuthHeaders::Never)
            .user_agent(concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION")))
            .tls_config(tls)
            .build();
        let agent = ureq::Agent::with_parts(
            config,
            ureq::unversioned::transport::DefaultConnector::new(),
            CachedResolver::default(),
        );
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(CONCURRENCY)
            .thread_name(|i| format!("registry-{i}"))
            .build()
            .expect("a thread pool");
        Client {
            agent,
            source,
            store,
            pool,
            send_token: AtomicBool::new(false),
            unanswered: AtomicUsize::new(0),
            requests: AtomicUsize::new(0),
        }
    }

    pub fn source(&self) -> &Source {
        &self.source
    }

    /// Sends the token (to the index's origin only) from now on.
    pub fn require_token(&self) {
        self.send_token.store(true, Ordering::Relaxed);
    }

    /// Requests that got no answer at all (after their retry).
    pub fn unanswered(&self) -> usize {
        self.unanswered.load(Ordering::Relaxed)
    }

    /// Requests sent so far (revalidations included, cache hits not).
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::Relaxed)
    }

    /// Runs `work` on each item, at most [`CONCURRENCY`] at a time.
    pub fn each<I: Send, T: Send>(
        &self,
        items: Vec<I>,
        work: impl Fn(I) -> T + Sync + Send,
    ) -> Vec<T> {
        use rayon::prelude::*;
        self.pool.install(|| items.into_par_iter().map(work).collect())
    }

    /// GETs `url`, from the cache when it is fresh; at most `limit` bytes.
    pub fn get(&self, url: &Url, freshness: Freshness, limit: u64) -> Result<Body, String> {
        let key = crate::base::format::hex(&Sha256::digest(format!("GET {url}")));
        let cached = self.store.get(&key).and_then(|bytes| split(&bytes));
        if let Some((stored, body)) = &cached
            && freshness != Freshness::Current
            && stored.fresh_for.is_none_or(|f| now() < stored.stored.saturating_add(f))
        {
            return Ok(body.clone());
        }
        let validators = cached.as_ref().map(|(s, _)| s);
        let (response, fresh_for) = self.send(url, validators, freshness, limit)?;
        let (stored, body) = match (response, cached) {
            (Answer::NotModified, Some((mut stored, body))) => {
                stored.stored = now();
                stored.fresh_for = fresh_for;
                (stored, body)
            }
            (Answer::NotModified, None) => return Err("an unrequested 304 Not Modified".into()),
            (Answer::Body { body, etag, last_modified }, _) => {
                let found = matches!(body, Body::Found(_));
                (Stored { found, etag, last_modified, stored: now(), fresh_for }, body)
            }
        };
        let mut stored = stored;
        if freshness == Freshness::Immutable && body == Body::NotFound {
            // A missing download may yet appear: asked again after a while, not at once.
            stored.fresh_for = Some(DEFAULT_FRESH.as_secs());
        }
        self.store.replace(&key, &join(&stored, &body));
        Ok(body)
    }

    /// One request, retried once when it got no answer or a server error.
    fn send(
        &self,
        url: &Url,
        validators: Option<&Stored>,
        freshness: Freshness,
        limit: u64,
    ) -> Result<(Answer, Option<u64>), String> {
        if self.unanswered.load(Ordering::Relaxed) >= GIVE_UP_AFTER {
            return Err(format!("not asked: {} did not answer earlier requests", self.source.name));
        }
        let mut last = String::new();
        for attempt in 0..2 {
            if attempt > 0 {
                std::thread::sleep(Duration::from_millis(250));
            }
            self.requests.fetch_add(1, Ordering::Relaxed);
            match self.once(url, validators, freshness, limit) {
                Ok(Attempt::Done(answer, fresh_for)) => return Ok((answer, fresh_for)),
                Ok(Attempt::Retry(why)) => last = why,
                Ok(Attempt::Fail(why)) => return Err(why),
                Err(error) => last = describe(&error),
            }
        }
        self.unanswered.fetch_add(1, Ordering::Relaxed);
        Err(last)
    }

    fn once(
        &self,
        url: &Url,
        validators: Option<&Stored>,
        freshness: Freshness,
        limit: u64,
    ) -> Result<Attempt, ureq::Error> {
        let mut request = self.agent.get(url.as_str());
        if self.send_token.load(Ordering::Relaxed)
            && self.source.same_origin(url)
            && let Some(token) = &self.source.token
        {
            request = request.header("Authorization", token);
        }
        if let Some(stored) = validators {
            if let Some(etag) = &stored.etag {
                request = request.header("If-None-Match", etag);
            }
            if let Some(date) = &stored.last_modified {
                request = request.header("If-Modified-Since", date);
            }
        }
        let mut response = request.call()?;
        let status = response.status().as_u16();
        let header = |name: &str| {
            response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
        };
        let fresh_for = match freshness {
            Freshness::Immutable => None,
            Freshness::Index | Freshness::Current => {
                Some(fresh_for(header("cache-control").as_deref()))
            }
        };
        let (etag, last_modified) = (header("etag"), header("last-modified"));
        Ok(match status {
            200 => {
                let body = response.body_mut().with_config().limit(limit).read_to_vec()?;
                Attempt::Done(
                    Answer::Body { body: Body::Found(body), etag, last_modified },
                    fresh_for,
                )
            }
            304 => Attempt::Done(Answer::NotModified, fresh_for),
            404 | 410 | 451 => Attempt::Done(
                Answer::Body { body: Body::NotFound, etag: None, last_modified: None },
                fresh_for,
            ),
            401 | 403 => Attempt::Fail(format!(
                "{url}: {status}: {} refused the request (does it need a token?)",
                self.source.name
            )),
            429 | 500..=599 => Attempt::Retry(format!("{url}: {status} from the server")),
            _ => Attempt::Fail(format!("{url}: unexpected status {status}")),
        })
    }
}

/// Name lookups made once per host for the client's life. Eight connections opened at once
/// would otherwise make eight lookups at once, and a resolver that loses one of the answers
/// (it happens, over UDP) costs its five-second timeout each time.
#[derive(Debug, Default)]
struct CachedResolver {
    inner: ureq::unversioned::resolver::DefaultResolver,
    known: Mutex<HashMap<String, ResolvedSocketAddrs>>,
}

impl Resolver for CachedResolver {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: ureq::unversioned::transport::NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let key = format!("{:?}://{:?}", uri.scheme(), uri.authority());
        // Held while resolving: the other requests for the host wait for this one answer.
        let mut known = self.known.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(addresses) = known.get(&key) {
            return Ok(addresses.clone());
        }
        let addresses = self.inner.resolve(uri, config, timeout)?;
        known.insert(key, addresses.clone());
        Ok(addresses)
    }
}

enum Answer {
    Body { body: Body, etag: Option<String>, last_modified: Option<String> },
    NotModified,
}

enum Attempt {
    Done(Answer, Option<u64>),
    Retry(String),
    Fail(String),
}

/// Seconds an index file stays fresh: `max-age`, or none with `no-cache`/`no-store`.
fn fresh_for(cache_control: Option<&str>) -> u64 {
    let Some(value) = cache_control else { return DEFAULT_FRESH.as_secs() };
    let mut max_age = None;
    for directive in value.split(',').map(str::trim) {
        let lower = directive.to_ascii_lowercase();
        if lower == "no-cache" || lower == "no-store" {
            return 0;
        }
        if let Some(seconds) = lower.strip_prefix("max-age=") {
            max_age = seconds.trim_matches('"').parse().ok();
        }
    }
    max_age.unwrap_or(DEFAULT_FRESH.as_secs())
}

/// A transport error in one line, without ureq's internals.
fn describe(error: &ureq::Error) -> String {
    match error {
        ureq::Error::Timeout(_) => {
            format!("no answer within {} s (CARGO_HTTP_TIMEOUT)", timeout().as_secs())
        }
        ureq::Error::HostNotFound => "the host name does not resolve".into(),
        ureq::Error::Io(e) => e.to_string(),
        ureq::Error::BodyExceedsLimit(limit) => format!("the response is over {limit} bytes"),
        other => crate::base::error::one_line(&other.to_string()),
    }
}

fn join(stored: &Stored, body: &Body) -> Vec<u8> {
    let mut bytes = serde_json::to_vec(stored).expect("serializes");
    bytes.push(b'\n');
    if let Body::Found(body) = body {
        bytes.extend_from_slice(body);
    }
    bytes
}

fn split(bytes: &[u8]) -> Option<(Stored, Body)> {
    let newline = memchr::memchr(b'\n', bytes)?;
    let stored: Stored = serde_json::from_slice(&bytes[..newline]).ok()?;
    let body = match stored.found {
        true => Body::Found(bytes[newline + 1..].to_vec()),
        false => Body::NotFound,
    };
    Some((stored, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn freshness_follows_cache_control() {
        assert_eq!(fresh_for(None), 300);
        assert_eq!(fresh_for(Some("public, max-age=600")), 600);
        assert_eq!(fresh_for(Some("max-age=60, no-cache")), 0);
        assert_eq!(fresh_for(Some("public")), 300);
    }

    #[test]
    fn stored_responses_round_trip() {
        let stored = Stored {
            found: true,
            etag: Some("\"x\"".into()),
            last_modified: None,
            stored: 5,
            fresh_for: Some(1),
        };
        let body = Body::Found(b"line 1\nline 2\n".to_vec());
        let (back, body_back) = split(&join(&stored, &body)).unwrap();
        assert_eq!(back.etag, stored.etag);
        assert_eq!(body_back, body);
    }
}
