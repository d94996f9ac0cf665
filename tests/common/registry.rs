//! A loopback registry: a tiny HTTP server on 127.0.0.1 serving a sparse index,
//! `config.json` and `.crate` downloads, and a `$CARGO_HOME` that points crates.io at it
//! (`[source.crates-io] replace-with`, the way cargo is pointed at a mirror). No test
//! touches the internet.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use sha2::{Digest, Sha256};

/// One file the server serves.
#[derive(Clone)]
pub struct Served {
    pub body: Vec<u8>,
    pub headers: Vec<(String, String)>,
}

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub path: String,
    pub authorization: Option<String>,
    pub conditional: bool,
    pub status: u16,
}

#[derive(Default)]
struct State {
    files: BTreeMap<String, Served>,
    seen: Vec<Seen>,
    delay: Option<Duration>,
}

/// A loopback HTTP server; stops when dropped.
pub struct Server {
    server: Arc<tiny_http::Server>,
    state: Arc<Mutex<State>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    pub fn start() -> Server {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let state = Arc::new(Mutex::new(State::default()));
        let thread = {
            let (server, state) = (Arc::clone(&server), Arc::clone(&state));
            std::thread::spawn(move || {
                for request in server.incoming_requests() {
                    let state = Arc::clone(&state);
                    // One thread per request, as a real server answers them concurrently.
                    std::thread::spawn(move || answer(request, &state));
                }
            })
        };
        Server { server, state, thread: Some(thread) }
    }

    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.server.server_addr().to_ip().unwrap().port())
    }

    pub fn index(&self) -> String {
        format!("sparse+{}/index/", self.origin())
    }

    pub fn serve(&self, path: &str, body: impl Into<Vec<u8>>, headers: &[(&str, &str)]) {
        let headers = headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        self.state.lock().unwrap().files.insert(path.into(), Served { body: body.into(), headers });
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }

    pub fn delay(&self, delay: Duration) {
        self.state.lock().unwrap().delay = Some(delay);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn answer(request: tiny_http::Request, state: &Mutex<State>) {
    let header = |name: &str| {
        request
            .headers()
            .iter()
            .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
            .map(|h| h.value.as_str().to_owned())
    };
    let path = request.url().to_owned();
    let (authorization, if_none_match) = (header("authorization"), header("if-none-match"));
    let (served, delay) = {
        let state = state.lock().unwrap();
        (state.files.get(&path).cloned(), state.delay)
    };
    if let Some(delay) = delay {
        std::thread::sleep(delay);
    }
    let etag = served
        .as_ref()
        .and_then(|s| s.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("etag")))
        .map(|(_, v)| v.clone());
    let status = match (&served, &etag) {
        (None, _) => 404,
        (Some(_), Some(etag)) if if_none_match.as_ref() == Some(etag) => 304,
        (Some(_), _) => 200,
    };
    state.lock().unwrap().seen.push(Seen {
        path,
        authorization,
        conditional: if_none_match.is_some(),
        status,
    });
    let body = match (&served, status) {
        (Some(served), 200) => served.body.clone(),
        _ => Vec::new(),
    };
    let mut response = tiny_http::Response::from_data(body).with_status_code(status);
    for (key, value) in served.map(|s| s.headers).unwrap_or_default() {
        response.add_header(tiny_http::Header::from_bytes(key, value).unwrap());
    }
    let _ = request.respond(response);
}

/// The path of a crate's index file below `/index/`, as the sparse protocol lays it out.
pub fn index_path(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    let prefix = match lower.len() {
        1 => "1".to_owned(),
        2 => "2".to_owned(),
        3 => format!("3/{}", &lower[..1]),
        _ => format!("{}/{}", &lower[..2], &lower[2..4]),
    };
    format!("/index/{prefix}/{lower}")
}

/// One line of an index file.
pub fn index_line(name: &str, version: &str, checksum: &str, yanked: bool) -> String {
    json!({
        "name": name, "vers": version, "deps": [], "cksum": checksum,
        "features": {}, "yanked": yanked,
    })
    .to_string()
}

pub fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// A fixture registry on a loopback server.
pub struct Registry {
    pub server: Server,
    /// Index lines by crate name.
    pub lines: BTreeMap<String, Vec<String>>,
}

impl Registry {
    pub fn new() -> Registry {
        let server = Server::start();
        let config = json!({ "dl": format!("{}/dl/{{crate}}/{{version}}/download", server.origin()), "api": null });
        server.serve("/index/config.json", config.to_string(), &[]);
        Registry { server, lines: BTreeMap::new() }
    }

    /// Publishes `name` `version` as a release with no `.crate` to download.
    pub fn release(&mut self, name: &str, version: &str, yanked: bool) -> &mut Registry {
        let checksum = sha256(format!("{name} {version}").as_bytes());
        self.line(name, index_line(name, version, &checksum, yanked))
    }

    /// Publishes a real `.crate` (its bytes) as `name` `version`.
    pub fn publish(&mut self, name: &str, version: &str, crate_file: &[u8]) -> &mut Registry {
        self.server.serve(&format!("/dl/{name}/{version}/download"), crate_file.to_vec(), &[]);
        self.line(name, index_line(name, version, &sha256(crate_file), false))
    }

    pub fn line(&mut self, name: &str, line: String) -> &mut Registry {
        self.lines.entry(name.to_owned()).or_default().push(line);
        self.serve_index(&[]);
        self
    }

    /// Serves every index file with `headers`.
    pub fn serve_index(&self, headers: &[(&str, &str)]) {
        for (name, lines) in &self.lines {
            self.server.serve(&index_path(name), lines.join("\n") + "\n", headers);
        }
    }

    /// A `$CARGO_HOME` whose config replaces crates.io with this registry.
    pub fn cargo_home(&self, dir: &Path) -> PathBuf {
        let home = dir.join("cargo-home");
        fs::create_dir_all(&home).unwrap();
        fs::write(
            home.join("config.toml"),
            format!(
                "[source.crates-io]\nreplace-with = \"fixture\"\n\n[source.fixture]\nregistry = \"{}\"\n",
                self.server.index()
            ),
        )
        .unwrap();
        home
    }
}
