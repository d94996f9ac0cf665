//! Which registry `--online` asks, read the way cargo reads it: `--index URL`, or
//! `--registry NAME` (`CARGO_REGISTRIES_<NAME>_INDEX`, else `[registries.NAME]` of
//! `$CARGO_HOME/config.toml`), else `registry.default` (`CARGO_REGISTRY_DEFAULT`, else the
//! same file), else crates.io. The checkout's own `.cargo/config.toml` is never read: it is
//! written by whoever opened the pull request.
//!
//! crates.io is asked through the sparse mirror cargo itself uses when `$CARGO_HOME/config.toml`
//! replaces it (`[source.crates-io] replace-with`, the way cargo's source replacement
//! works behind a firewall); a replacement that is not a sparse registry (a vendored
//! directory, a git mirror) is passed over and crates.io's own index is asked.
//!
//! A token (`CARGO_REGISTRIES_<NAME>_TOKEN`, else `$CARGO_HOME/credentials.toml`) is kept
//! for a registry whose `config.json` says `auth-required`, and is only ever sent to the
//! index's own origin.

use std::path::{Path, PathBuf};

use url::Url;

use crate::base::error::Error;
use crate::cli::Cli;

/// crates.io's sparse index.
pub const CRATES_IO_INDEX: &str = "https://index.crates.io/";
/// crates.io's git index, as lock files and `cargo metadata` name it.
const CRATES_IO_GIT_INDEX: &str = "https://github.com/rust-lang/crates.io-index";

/// A registry to ask.
#[derive(Clone)]
pub struct Source {
    /// As messages name it: `crates.io`, the registry's name, or the index's host.
    pub name: String,
    /// The sparse index, ending with `/` (no `sparse+`).
    pub index: Url,
    /// Whether this is crates.io (its rate limits and policies apply).
    pub crates_io: bool,
    /// Sent only when `config.json` requires it, and only to [`Source::index`]'s origin.
    pub(super) token: Option<String>,
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Source")
            .field("name", &self.name)
            .field("index", &self.index.as_str())
            .field("token", &self.token.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

/// Where cargo keeps its configuration and credentials: `$CARGO_HOME`, else `~/.cargo`.
pub fn cargo_home() -> Option<PathBuf> {
    std::env::var_os("CARGO_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))
}

/// What the environment and cargo's home hold; separated for tests.
pub struct CargoEnv {
    pub home: Option<PathBuf>,
    pub var: fn(&str) -> Option<String>,
}

impl CargoEnv {
    pub fn current() -> CargoEnv {
        CargoEnv {
            home: cargo_home(),
            var: |key| std::env::var(key).ok().filter(|v| !v.is_empty()),
        }
    }

    /// `$CARGO_HOME/<name>.toml`, else the older `$CARGO_HOME/<name>`, parsed.
    fn file(&self, name: &str) -> Result<Option<(PathBuf, toml::Table)>, Error> {
        let Some(home) = &self.home else { return Ok(None) };
        for path in [home.join(format!("{name}.toml")), home.join(name)] {
            let text = match std::fs::read_to_string(&path) {
                Ok(text) => text,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) if e.kind() == std::io::ErrorKind::IsADirectory => continue,
                Err(e) => return Err(Error::io(&path, e)),
            };
            let table = text.parse::<toml::Table>().map_err(|e| Error::CargoConfig {
                path: path.clone(),
                message: crate::base::error::one_line(&e.to_string()),
            })?;
            return Ok(Some((path, table)));
        }
        Ok(None)
    }
}

/// `foo-bar` → `FOO_BAR`, as cargo names a registry in environment variables.
fn env_key(name: &str) -> String {
    name.to_ascii_uppercase().replace('-', "_")
}

fn text_at<'a>(table: &'a toml::Table, keys: &[&str]) -> Option<&'a str> {
    let (last, path) = keys.split_last()?;
    let mut table = table;
    for key in path {
        table = table.get(*key)?.as_table()?;
    }
    table.get(*last)?.as_str()
}

impl Source {
    /// The registry named by `--registry` / `--index`, or the default one.
    pub fn resolve(
        registry: Option<&str>,
        index: Option<&str>,
        env: &CargoEnv,
    ) -> Result<Source, Error> {
        let config = env.file("config")?;
        let crates_io = || Source::crates_io_as(config.as_ref().map(|(_, t)| t));
        if let Some(index) = index {
            let source = Source::from_index("--index", index, None, None)?;
            return Ok(if source.crates_io { crates_io() } else { source });
        }
        let default = (env.var)("CARGO_REGISTRY_DEFAULT").or_else(|| {
            config.as_ref().and_then(|(_, t)| text_at(t, &["registry", "default"]).map(Into::into))
        });
        let (flag, name) = match (registry, default) {
            (Some(name), _) => ("--registry", name.to_owned()),
            (None, Some(name)) => ("registry.default", name),
            (None, None) => return Ok(crates_io()),
        };
        if name == "crates-io" {
            return Ok(crates_io());
        }
        let key = env_key(&name);
        let from_env = (env.var)(&format!("CARGO_REGISTRIES_{key}_INDEX"));
        let from_config =
            || config.as_ref().and_then(|(_, t)| text_at(t, &["registries", &name, "index"]));
        let index = from_env.or_else(|| from_config().map(Into::into)).ok_or_else(|| {
            Error::Registry {
                flag: flag.into(),
                message: format!(
                    "`{name}` is not defined: set CARGO_REGISTRIES_{key}_INDEX, or `[registries.{name}] index` in $CARGO_HOME/config.toml"
                ),
            }
        })?;
        let token = match (env.var)(&format!("CARGO_REGISTRIES_{key}_TOKEN")) {
            Some(token) => Some(token),
            None => env
                .file("credentials")?
                .and_then(|(_, t)| text_at(&t, &["registries", &name, "token"]).map(str::to_owned)),
        };
        Source::from_index(flag, &index, Some(name), token)
    }

    pub fn crates_io() -> Source {
        Source {
            name: "crates.io".into(),
            index: Url::parse(CRATES_IO_INDEX).expect("a valid URL"),
            crates_io: true,
            token: None,
        }
    }

    /// crates.io, through the sparse registry that `config` (cargo home's) replaces it with,
    /// if any: `[source.crates-io] replace-with = "NAME"`, `[source.NAME] registry =
    /// "sparse+…"` (a chain of replacements followed a few steps).
    fn crates_io_as(config: Option<&toml::Table>) -> Source {
        let mut name = "crates-io";
        for _ in 0..4 {
            let Some(config) = config else { break };
            let Some(next) = text_at(config, &["source", name, "replace-with"]) else { break };
            name = next;
            let mirror = text_at(config, &["source", name, "registry"])
                .and_then(|url| Source::from_index("replace-with", url, None, None).ok());
            if let Some(mirror) = mirror {
                return Source { name: "crates.io".into(), crates_io: true, ..mirror };
            }
        }
        Source::crates_io()
    }

    /// A sparse index URL (`sparse+https://…`); `https` only, but for this machine.
    fn from_index(
        flag: &str,
        text: &str,
        name: Option<String>,
        token: Option<String>,
    ) -> Result<Source, Error> {
        let problem = |message: &str| Error::Registry {
            flag: format!(
                "{flag} {}",
                crate::base::format::escape_terminal(&crate::base::shown::Shown::new(text))
            ),
            message: message.into(),
        };
        let bare = text.trim_end_matches('/');
        if bare == CRATES_IO_GIT_INDEX || bare == "sparse+https://index.crates.io" {
            return Ok(Source::crates_io());
        }
        let Some(url) = text.strip_prefix("sparse+") else {
            return Err(problem(
                "only sparse indexes are read (sparse+https://…); a git index is not supported",
            ));
        };
        let mut url = Url::parse(url).map_err(|e| problem(&format!("not a URL: {e}")))?;
        let local = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
        match url.scheme() {
            "https" if url.host_str().is_some_and(|h| !h.is_empty()) => {}
            "http" if local => {}
            _ => return Err(problem("must be https:// (http:// only for localhost)")),
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(problem("must not hold credentials; use a token"));
        }
        if !url.path().ends_with('/') {
            url.set_path(&format!("{}/", url.path()));
        }
        let name = name.unwrap_or_else(|| url.host_str().unwrap_or("the registry").to_owned());
        Ok(Source { name, index: url, crates_io: false, token })
    }

    /// Whether `url` is on the index's own origin (scheme, host and port): the only place a
    /// token goes.
    pub fn same_origin(&self, url: &Url) -> bool {
        url.origin() == self.index.origin()
    }
}

/// The registry to ask when `asking` (`--online`, `verify --published`); `--registry` and
/// `--index` mean nothing otherwise, and say so.
pub fn for_cli(cli: &Cli, asking: bool) -> Result<Option<Source>, Error> {
    if !asking {
        if let Some((flag, _)) = [("--registry", &cli.registry), ("--index", &cli.index)]
            .into_iter()
            .find(|(_, value)| value.is_some())
        {
            return Err(Error::Registry {
                flag: flag.into(),
                message: "only used with --online (or verify --published)".into(),
            });
        }
        return Ok(None);
    }
    let env = CargoEnv::current();
    Source::resolve(cli.registry.as_deref(), cli.index.as_deref(), &env).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(home: &Path, var: fn(&str) -> Option<String>) -> CargoEnv {
        CargoEnv { home: Some(home.to_path_buf()), var }
    }

    #[test]
    fn crates_io_by_default_and_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let none = env(dir.path(), |_| None);
        assert!(Source::resolve(None, None, &none).unwrap().crates_io);
        assert!(Source::resolve(Some("crates-io"), None, &none).unwrap().crates_io);
        let git = Source::resolve(None, Some(CRATES_IO_GIT_INDEX), &none).unwrap();
        assert!(git.crates_io);
    }

    #[test]
    fn a_named_registry_from_cargo_home_with_its_token() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("config.toml"),
            "[registries.my-reg]\nindex = \"sparse+https://reg.example/index/\"\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("credentials.toml"),
            "[registries.my-reg]\ntoken = \"s3cr3t\"\n",
        )
        .unwrap();
        let source = Source::resolve(Some("my-reg"), None, &env(dir.path(), |_| None)).unwrap();
        assert_eq!(source.index.as_str(), "https://reg.example/index/");
        assert_eq!(source.name, "my-reg");
        assert_eq!(source.token.as_deref(), Some("s3cr3t"));
        assert!(!format!("{source:?}").contains("s3cr3t"), "a token is never printed");
        assert!(source.same_origin(&Url::parse("https://reg.example/dl/x").unwrap()));
        assert!(!source.same_origin(&Url::parse("https://cdn.example/x").unwrap()));
        assert!(!source.same_origin(&Url::parse("http://reg.example/x").unwrap()));
    }

    #[test]
    fn crates_io_through_the_sparse_mirror_cargo_home_replaces_it_with() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("config.toml"),
            "[source.crates-io]\nreplace-with = \"corp\"\n[source.corp]\nreplace-with = \"mirror\"\n[source.mirror]\nregistry = \"sparse+https://mirror.example/crates/\"\n",
        )
        .unwrap();
        let none = env(dir.path(), |_| None);
        let source = Source::resolve(None, None, &none).unwrap();
        assert!(source.crates_io);
        assert_eq!(source.name, "crates.io");
        assert_eq!(source.index.as_str(), "https://mirror.example/crates/");
        // A vendored directory is no index: crates.io itself is asked.
        std::fs::write(
            dir.path().join("config.toml"),
            "[source.crates-io]\nreplace-with = \"vendored\"\n[source.vendored]\ndirectory = \"vendor\"\n",
        )
        .unwrap();
        assert_eq!(Source::resolve(None, None, &none).unwrap().index.as_str(), CRATES_IO_INDEX);
    }

    #[test]
    fn environment_first_then_registry_default() {
        let dir = tempfile::tempdir().unwrap();
        let vars = |key: &str| match key {
            "CARGO_REGISTRY_DEFAULT" => Some("corp".to_owned()),
            "CARGO_REGISTRIES_CORP_INDEX" => Some("sparse+http://127.0.0.1:9/".to_owned()),
            _ => None,
        };
        let source = Source::resolve(None, None, &env(dir.path(), vars)).unwrap();
        assert_eq!(source.index.as_str(), "http://127.0.0.1:9/");
    }

    #[test]
    fn refusals_name_the_flag() {
        let dir = tempfile::tempdir().unwrap();
        let none = env(dir.path(), |_| None);
        let error = |r: Option<&str>, i: Option<&str>| {
            Source::resolve(r, i, &none).unwrap_err().to_string()
        };
        assert!(error(Some("nope"), None).starts_with("--registry: `nope` is not defined"));
        assert!(error(None, Some("https://github.com/corp/index")).contains("git index"));
        assert!(error(None, Some("sparse+http://reg.example/")).contains("https://"));
        assert!(error(None, Some("sparse+https://u:p@reg.example/")).contains("credentials"));
        std::fs::write(dir.path().join("config.toml"), "[registries\n").unwrap();
        assert!(error(Some("x"), None).contains("config.toml"));
    }
}
