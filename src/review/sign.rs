//! `cargo readiness sign -p NAME`: signs the selected crates off as they are now. The
//! fingerprint is `verify`'s (the same packaging, the same code), the statement is
//! [`statement`]'s, and the signature is made by the reviewer's own `ssh-keygen -Y sign`
//! (namespace `cargo-readiness`; a private key file, or a public key whose private half is
//! in ssh-agent), started from a neutral temporary folder with nothing of the checkout's,
//! then checked in-process before anything is written. The reviewer's principal defaults
//! to `user.email` of the reviewer's own git configuration (never the checkout's
//! `.git/config`). Only `readiness-signoff.toml` is written, and only appended to: the
//! rows others wrote stay byte for byte.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use ssh_key::{HashAlg, PublicKey, SshSig};

use crate::base::error::Error;
use crate::base::format::escape_terminal;
use crate::base::shown::Shown;
use crate::cli::{Cli, SignArgs, TrustArgs};
use crate::review::signoff::statement::{self, Fields, NAMESPACE};
use crate::review::signoff::{self, FILE, Signoffs};
use crate::review::verify::{Packaged, package_selected};
use crate::workspace::Workspace;

/// Signs each selected publishable crate off; 0 once every row is appended.
pub fn run(cli: &Cli, args: &SignArgs) -> Result<i32, Error> {
    if cli.packages.is_empty() {
        return Err(Error::Sign("name the crates to sign off: -p NAME".into()));
    }
    let globals = gix::config::File::from_globals().ok();
    let setting = |key: &str| globals.as_ref().and_then(|c| c.string(key)).map(|v| v.to_string());
    let reviewer = match args.reviewer.clone().or_else(|| setting("user.email")) {
        Some(reviewer) => reviewer,
        None => {
            return Err(Error::Sign(
                "no --reviewer, and your git configuration has no user.email".into(),
            ));
        }
    };
    let key = match &args.key {
        Some(key) => std::path::absolute(key).map_err(|e| Error::io(key, e))?,
        None => default_key(setting("user.signingKey"))?,
    };
    let Packaged { workspace, archives, .. } = package_selected(cli, &TrustArgs::default())?;
    let head = signoff::head(workspace.confinement.root()).ok_or_else(|| {
        Error::Sign("the workspace is at no git commit: commit what you reviewed, then sign".into())
    })?;
    let date = jiff::Zoned::now().date().to_string();
    let mut rows = String::new();
    let mut lines = Vec::new();
    for (name, archive) in archives {
        let archive =
            archive.map_err(|why| Error::Sign(format!("{name} could not be packaged: {why}")))?;
        let Some(member) = workspace.member(&name) else { continue };
        let version = member.package.version.to_string();
        let fields = Fields {
            name: &name,
            version: &version,
            fingerprint: &archive.fingerprint,
            commit: &head.commit,
            date: &date,
            reviewer: &reviewer,
        };
        let statement = statement::statement(&fields).map_err(Error::Sign)?;
        let armored = ssh_keygen_sign(&key, &statement)?;
        let signer = checked(&armored, &statement)?;
        rows.push_str(if rows.is_empty() { "" } else { "\n" });
        rows.push_str(&signoff::row_text(&fields, &armored));
        lines.push(format!(
            "{:>9} {name} {version} ({}) as {reviewer} with key {}",
            "signed",
            archive.fingerprint,
            signer.fingerprint(HashAlg::Sha256)
        ));
    }
    append(&workspace, &rows)?;
    if !cli.quiet {
        for line in lines {
            println!("{}", escape_terminal(&Shown::new(line)));
        }
        println!("{:>9} {FILE}: commit it for review", "appended");
    }
    Ok(0)
}

/// git's `user.signingKey` (a path, `~/` for the home folder, or `key::` and a public
/// key, whose private half the agent holds), else the first of `~/.ssh/id_ed25519`,
/// `id_ecdsa`, `id_rsa` that exists, as ssh picks them.
fn default_key(signing_key: Option<String>) -> Result<PathBuf, Error> {
    let home = gix::path::env::home_dir();
    if let Some(key) = signing_key {
        if key.starts_with("key::") {
            return Err(Error::Sign(
                "user.signingKey holds a literal key (key::…): write it to a .pub file and pass it with --key".into(),
            ));
        }
        return Ok(match (key.strip_prefix("~/"), &home) {
            (Some(rest), Some(home)) => home.join(rest),
            _ => PathBuf::from(key),
        });
    }
    let ssh = home.map(|home| home.join(".ssh")).unwrap_or_default();
    ["id_ed25519", "id_ecdsa", "id_rsa"]
        .into_iter()
        .map(|name| ssh.join(name))
        .find(|path| path.is_file())
        .ok_or_else(|| Error::Sign("no key: pass --key PATH (or set git's user.signingKey)".into()))
}

/// The reviewer's `ssh-keygen -Y sign` over `statement`, run in a neutral temporary folder:
/// the armored signature. A passphrase is asked on the terminal, as ssh-keygen asks it.
fn ssh_keygen_sign(key: &Path, statement: &str) -> Result<String, Error> {
    let folder = tempfile::tempdir().map_err(|e| Error::io("a temporary folder", e))?;
    let message = folder.path().join("statement");
    fs::write(&message, statement).map_err(|e| Error::io(&message, e))?;
    let output = Command::new("ssh-keygen")
        .args(["-q", "-Y", "sign", "-n", NAMESPACE, "-f"])
        .arg(key)
        .arg(&message)
        .current_dir(folder.path())
        .stdin(Stdio::inherit())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| Error::Sign(format!("ssh-keygen could not be started: {e}")))?;
    if !output.status.success() {
        let why = crate::base::error::one_line(&String::from_utf8_lossy(&output.stderr));
        return Err(Error::Sign(format!("ssh-keygen -Y sign -f {}: {why}", key.display())));
    }
    let signature = message.with_extension("sig");
    fs::read_to_string(&signature).map_err(|e| Error::io(&signature, e))
}

/// The signature as `verify` will check it: an SSH signature in the namespace, over the
/// statement. Its key.
fn checked(armored: &str, statement: &str) -> Result<PublicKey, Error> {
    let refused =
        |why: String| Error::Sign(format!("ssh-keygen's signature does not verify: {why}"));
    let signature = SshSig::from_pem(armored.trim()).map_err(|e| refused(e.to_string()))?;
    let key = PublicKey::new(signature.public_key().clone(), "");
    key.verify(NAMESPACE, statement.as_bytes(), &signature).map_err(|e| refused(e.to_string()))?;
    Ok(key)
}

/// Appends `rows` to the sign-off file at the workspace root: never through a link or
/// into anything but a regular file, and only when the file stays valid.
fn append(workspace: &Workspace, rows: &str) -> Result<(), Error> {
    let path = workspace.root.join(FILE);
    let existing = match fs::symlink_metadata(&path) {
        Ok(meta) if meta.file_type().is_file() => {
            let bytes = crate::base::paths::read_bounded(&path, super::signoff::MAX_SIZE)
                .map_err(|e| Error::io(&path, e))?;
            String::from_utf8(bytes).map_err(|_| Error::Signoff {
                path: path.clone(),
                line: None,
                message: "not UTF-8".into(),
            })?
        }
        Ok(_) => {
            return Err(Error::Sign(format!(
                "{}: not a regular file (a link or a folder); nothing was written through it",
                path.display()
            )));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(Error::io(&path, e)),
    };
    let separator = match existing.as_str() {
        "" => "",
        text if text.ends_with('\n') => "\n",
        _ => "\n\n",
    };
    let appended = format!("{separator}{rows}");
    Signoffs::parse(&format!("{existing}{appended}"), &path)?;
    let mut file = fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(&path)
        .map_err(|e| Error::io(&path, e))?;
    file.write_all(appended.as_bytes()).map_err(|e| Error::io(&path, e))
}
