//! SSH keys made for a test by ssh-keygen, allowed-signers lines for them, and the home
//! folder of a reviewer whose own git configuration names an email (`cargo readiness sign`
//! reads `user.email` from there, never from the checkout).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A key pair in a test's folder.
pub struct Key {
    pub private: PathBuf,
    pub public: PathBuf,
}

/// A new key of `kind` (`ed25519`, `ecdsa`, `rsa`) as `<dir>/<name>`, with no passphrase.
pub fn generate(dir: &Path, name: &str, kind: &str) -> Key {
    let private = dir.join(name);
    let mut command = Command::new("ssh-keygen");
    command.args(["-q", "-t", kind, "-N", "", "-C", name, "-f"]).arg(&private);
    if kind == "rsa" {
        command.args(["-b", "2048"]);
    }
    let out = command.output().expect("ssh-keygen runs");
    assert!(out.status.success(), "ssh-keygen: {}", String::from_utf8_lossy(&out.stderr));
    Key { public: private.with_extension("pub"), private }
}

impl Key {
    /// `keytype base64` (the public key without its comment).
    pub fn public_line(&self) -> String {
        let text = fs::read_to_string(&self.public).unwrap();
        text.split_whitespace().take(2).collect::<Vec<_>>().join(" ")
    }

    /// `SHA256:…`, as `ssh-keygen -l` prints it.
    pub fn fingerprint(&self) -> String {
        let out = Command::new("ssh-keygen").arg("-lf").arg(&self.public).output().unwrap();
        String::from_utf8(out.stdout).unwrap().split_whitespace().nth(1).unwrap().to_owned()
    }

    /// An allowed-signers line listing this key for `principals`, with `options`.
    pub fn allowed(&self, principals: &str, options: &str) -> String {
        format!(
            "{principals} {options}{}{}\n",
            if options.is_empty() { "" } else { " " },
            self.public_line()
        )
    }
}

/// A reviewer's home folder whose `.gitconfig` names `email`.
pub fn home(dir: &Path, email: &str) -> PathBuf {
    let home = dir.join("home");
    fs::create_dir_all(&home).unwrap();
    fs::write(home.join(".gitconfig"), format!("[user]\n\temail = {email}\n")).unwrap();
    home
}
