//! The statement a sign-off's signature covers: the row's fields as seven lines, each ended
//! by a line feed, in this order (the guide's "Sign-off" chapter shows the same bytes):
//!
//! ```text
//! cargo-readiness sign-off v1
//! name my-crate
//! version 1.2.0
//! fingerprint sha256:6f1c…
//! commit 0a1b2c…
//! date 2026-11-24
//! reviewer ada@example.com
//! ```
//!
//! It is signed in the SSH signature format (`ssh-keygen -Y sign -n cargo-readiness`), so
//! anyone can check a row by hand with `ssh-keygen -Y verify` on these bytes. A field that
//! could make two rows' statements alike (a line break, a control character, space at
//! either end) is refused when the row is read.

/// The SSH signature namespace of every sign-off.
pub const NAMESPACE: &str = "cargo-readiness";

/// The first line, naming the statement's format.
const HEADER: &str = "cargo-readiness sign-off v1";

/// The fields a signature covers.
#[derive(Debug, Clone, Copy)]
pub struct Fields<'a> {
    pub name: &'a str,
    pub version: &'a str,
    pub fingerprint: &'a str,
    pub commit: &'a str,
    /// `YYYY-MM-DD`.
    pub date: &'a str,
    pub reviewer: &'a str,
}

/// The statement's bytes, or which field cannot be put in one.
pub fn statement(fields: &Fields) -> Result<String, String> {
    let Fields { name, version, fingerprint, commit, date, reviewer } = *fields;
    let mut text = format!("{HEADER}\n");
    for (key, value) in [
        ("name", name),
        ("version", version),
        ("fingerprint", fingerprint),
        ("commit", commit),
        ("date", date),
        ("reviewer", reviewer),
    ] {
        if value.is_empty() || value.trim() != value || value.contains(char::is_control) {
            return Err(format!(
                "`{key}` of a signed row must be one line without control characters or space at either end"
            ));
        }
        text.push_str(&format!("{key} {value}\n"));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields<'a>(reviewer: &'a str) -> Fields<'a> {
        Fields {
            name: "a",
            version: "1.0.0",
            fingerprint: "sha256:00",
            commit: "c0",
            date: "2026-11-24",
            reviewer,
        }
    }

    #[test]
    fn the_statement_is_seven_lines() {
        assert_eq!(
            statement(&fields("ada@example.com")).unwrap(),
            "cargo-readiness sign-off v1\nname a\nversion 1.0.0\nfingerprint sha256:00\ncommit c0\ndate 2026-11-24\nreviewer ada@example.com\n"
        );
    }

    #[test]
    fn a_field_that_could_forge_a_line_is_refused() {
        for reviewer in ["ada\nname b", "ada\r", " ada", "", "a\u{1b}[2J"] {
            assert!(
                statement(&fields(reviewer)).unwrap_err().contains("`reviewer`"),
                "{reviewer:?}"
            );
        }
    }
}
