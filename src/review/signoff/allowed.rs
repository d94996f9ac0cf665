//! git's allowed-signers format (`ssh-keygen(1)`, "ALLOWED SIGNERS"): the keys that may
//! sign off, one a line, `principals [options] keytype base64-key [comment]`.
//!
//! ```text
//! # who may sign off, kept on a protected branch
//! ada@example.com ssh-ed25519 AAAAC3Nza… ada's laptop
//! bob@example.com,*@release.example.com namespaces="git,cargo-readiness",valid-before="20271231" ecdsa-sha2-nistp256 AAAAE2Vj…
//! ```
//!
//! Principals are a comma-separated pattern list (`*` and `?` wildcards, `!` to exclude),
//! quoted when they hold spaces. Options: `namespaces="…"` (a pattern list the namespace
//! `cargo-readiness` must match), `valid-after`/`valid-before` (`YYYYMMDD[HHMM[SS]]`, local
//! time unless it ends in `Z`) and `cert-authority`, which is refused: a sign-off names a
//! reviewer's own key, not a certificate. Anything else is an error naming the line.

use jiff::Timestamp;
use ssh_key::public::KeyData;
use ssh_key::{PublicKey, SshSig};

use super::statement::NAMESPACE;

/// The keys that may sign off, by principal.
#[derive(Debug, Default)]
pub struct AllowedSigners {
    signers: Vec<Signer>,
}

/// One line.
#[derive(Debug)]
struct Signer {
    principals: PatternList,
    options: Options,
    key: KeyData,
}

/// A line's options.
#[derive(Debug, Default)]
struct Options {
    namespaces: Option<PatternList>,
    /// The time and the text it was written as.
    valid_after: Option<(Timestamp, String)>,
    valid_before: Option<(Timestamp, String)>,
}

/// A row's standing against the allowed signers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RowState {
    /// The signature verifies, for this row's statement, by a key listed for its principal.
    Verified,
    /// No signature, or no allowed signers to check it against.
    Unsigned,
    /// No line lists the row's principal.
    UnknownPrincipal,
    /// The signing key is not listed for the row's principal.
    KeyNotAllowed,
    /// The key is listed, but the signature is not over this row's statement.
    StatementEdited,
    /// The key's `valid-before` has passed.
    KeyExpired,
    /// The key's `valid-after` has not come.
    KeyNotYetValid,
    /// The signature's namespace is not `cargo-readiness`, or the line's `namespaces`
    /// leaves it out.
    BadNamespace,
}

impl RowState {
    pub fn as_str(self) -> &'static str {
        match self {
            RowState::Verified => "verified",
            RowState::Unsigned => "unsigned",
            RowState::UnknownPrincipal => "unknown principal",
            RowState::KeyNotAllowed => "key not allowed for that principal",
            RowState::StatementEdited => "statement edited",
            RowState::KeyExpired => "key expired",
            RowState::KeyNotYetValid => "key not yet valid",
            RowState::BadNamespace => "bad namespace",
        }
    }
}

impl AllowedSigners {
    /// Parses the file's text; an error is the 1-based line and what is wrong with it.
    pub fn parse(text: &str) -> Result<AllowedSigners, (usize, String)> {
        let mut signers = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            signers.push(Signer::parse(line).map_err(|why| (index + 1, why))?);
        }
        Ok(AllowedSigners { signers })
    }

    /// Judges a signature over `statement` for the row's `principal` at `now`. The checks
    /// run from the most telling to the least: the namespace, the principal, its key, the
    /// line's namespaces and validity, then the signature itself.
    pub fn judge(
        &self,
        principal: &str,
        signature: &SshSig,
        statement: &[u8],
        now: Timestamp,
    ) -> RowState {
        if signature.namespace() != NAMESPACE {
            return RowState::BadNamespace;
        }
        let listed: Vec<&Signer> =
            self.signers.iter().filter(|s| s.principals.matches(principal)).collect();
        if listed.is_empty() {
            return RowState::UnknownPrincipal;
        }
        let keyed: Vec<&Signer> =
            listed.into_iter().filter(|s| &s.key == signature.public_key()).collect();
        let Some(first) = keyed.first() else { return RowState::KeyNotAllowed };
        let in_namespace: Vec<&Signer> = keyed
            .iter()
            .copied()
            .filter(|s| s.options.namespaces.as_ref().is_none_or(|n| n.matches(NAMESPACE)))
            .collect();
        let Some(signer) = in_namespace.first() else { return RowState::BadNamespace };
        if !in_namespace.iter().any(|s| s.options.valid_at(now)) {
            return match signer.options.valid_after.as_ref().is_some_and(|(after, _)| now < *after)
            {
                true => RowState::KeyNotYetValid,
                false => RowState::KeyExpired,
            };
        }
        let key = PublicKey::new(first.key.clone(), "");
        match key.verify(NAMESPACE, statement, signature) {
            Ok(()) => RowState::Verified,
            Err(_) => RowState::StatementEdited,
        }
    }

    /// The validity window of the key `signature` was made with, for `principal`, as
    /// written (for the line that says why a key is expired).
    pub fn window(&self, principal: &str, key: &KeyData) -> Option<String> {
        let signer =
            self.signers.iter().find(|s| s.principals.matches(principal) && &s.key == key)?;
        let after =
            signer.options.valid_after.as_ref().map(|(_, text)| format!("valid after {text}"));
        let before =
            signer.options.valid_before.as_ref().map(|(_, text)| format!("valid before {text}"));
        let parts: Vec<String> = after.into_iter().chain(before).collect();
        (!parts.is_empty()).then(|| parts.join(", "))
    }
}

impl Signer {
    fn parse(line: &str) -> Result<Signer, String> {
        let (principals, rest) = token(line, false)?;
        let principals =
            PatternList::parse(&principals).map_err(|why| format!("principals: {why}"))?;
        let rest = rest.trim_start();
        if rest.is_empty() {
            return Err("no public key after the principals".into());
        }
        // As ssh-keygen reads it: a key right after the principals, else options first.
        let (options, key_text) = match PublicKey::from_openssh(rest) {
            Err(_) if !KEY_TYPES.iter().any(|t| rest.starts_with(t)) => {
                let (options, rest) = token(rest, true)?;
                (Options::parse(&options)?, rest.trim_start())
            }
            _ => (Options::default(), rest),
        };
        if key_text.is_empty() {
            return Err("no public key after the principals and options".into());
        }
        let key = PublicKey::from_openssh(key_text)
            .map_err(|e| format!("not a public key (`keytype base64-key [comment]`): {e}"))?;
        Ok(Signer { principals, options, key: key.key_data().clone() })
    }
}

impl Options {
    fn parse(text: &str) -> Result<Options, String> {
        let mut options = Options::default();
        for option in split_outside_quotes(text, ',') {
            let (name, value) = match option.split_once('=') {
                Some((name, value)) => (name, Some(unquote(value)?)),
                None => (option, None),
            };
            let value = |name: &str| value.clone().ok_or_else(|| format!("`{name}` needs a value"));
            match name.to_ascii_lowercase().as_str() {
                "cert-authority" => {
                    return Err(
                        "`cert-authority` lines are not supported: list each reviewer's own key"
                            .into(),
                    );
                }
                "namespaces" => {
                    let list = PatternList::parse(&value(name)?)
                        .map_err(|why| format!("namespaces: {why}"))?;
                    options.namespaces = Some(list);
                }
                "valid-after" => {
                    let text = value(name)?;
                    options.valid_after = Some((timestamp(&text)?, text));
                }
                "valid-before" => {
                    let text = value(name)?;
                    options.valid_before = Some((timestamp(&text)?, text));
                }
                _ => {
                    return Err(format!(
                        "unknown option `{name}` (expected namespaces, valid-after, valid-before)"
                    ));
                }
            }
        }
        Ok(options)
    }

    fn valid_at(&self, now: Timestamp) -> bool {
        self.valid_after.as_ref().is_none_or(|(after, _)| now >= *after)
            && self.valid_before.as_ref().is_none_or(|(before, _)| now < *before)
    }
}

/// How the key types ssh-keygen writes begin.
const KEY_TYPES: &[&str] = &["ssh-", "ecdsa-", "sk-", "rsa-"];

/// The first token of `text` and the rest: a quoted string, or up to the first space
/// (with `options`, spaces inside quotes do not end it).
fn token(text: &str, options: bool) -> Result<(String, &str), String> {
    if !options && let Some(quoted) = text.strip_prefix('"') {
        let end = quoted.find('"').ok_or("an opening quote is never closed")?;
        return Ok((quoted[..end].to_owned(), &quoted[end + 1..]));
    }
    let mut quoted = false;
    for (at, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => return Ok((text[..at].to_owned(), &text[at..])),
            _ => {}
        }
    }
    if quoted {
        return Err("an opening quote is never closed".into());
    }
    Ok((text.to_owned(), ""))
}

fn split_outside_quotes(text: &str, separator: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut quoted, mut start) = (false, 0);
    for (at, c) in text.char_indices() {
        if c == '"' {
            quoted = !quoted;
        } else if c == separator && !quoted {
            parts.push(&text[start..at]);
            start = at + 1;
        }
    }
    parts.push(&text[start..]);
    parts
}

fn unquote(value: &str) -> Result<String, String> {
    match value.strip_prefix('"') {
        Some(inner) => inner
            .strip_suffix('"')
            .map(str::to_owned)
            .ok_or_else(|| format!("`{value}`: an opening quote is never closed")),
        None => Ok(value.to_owned()),
    }
}

/// `YYYYMMDD[HHMM[SS]]`, in local time unless it ends in `Z` (UTC), as ssh-keygen reads it.
fn timestamp(text: &str) -> Result<Timestamp, String> {
    let bad = || format!("`{text}` is not a time of the form YYYYMMDD[HHMM[SS]][Z]");
    let (digits, zone) = match text.strip_suffix(['Z', 'z']) {
        Some(digits) => (digits, jiff::tz::TimeZone::UTC),
        None => (text, jiff::tz::TimeZone::system()),
    };
    if !matches!(digits.len(), 8 | 12 | 14) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    // Two ASCII digits always fit an i8; four a year.
    let two = |at: usize| digits.get(at..at + 2).map_or(0, |d| d.parse::<i8>().unwrap_or(0));
    let year: i16 = digits[..4].parse().map_err(|_| bad())?;
    jiff::civil::DateTime::new(year, two(4), two(6), two(8), two(10), two(12), 0)
        .and_then(|civil| civil.to_zoned(zone))
        .map(|zoned| zoned.timestamp())
        .map_err(|_| bad())
}

/// A comma-separated list of `*`/`?` patterns, `!` excluding (OpenSSH's pattern lists).
#[derive(Debug)]
struct PatternList(Vec<(bool, regex::Regex)>);

impl PatternList {
    fn parse(text: &str) -> Result<PatternList, String> {
        let mut patterns = Vec::new();
        for pattern in text.split(',') {
            let (negated, pattern) = match pattern.strip_prefix('!') {
                Some(rest) => (true, rest),
                None => (false, pattern),
            };
            if pattern.is_empty() {
                return Err(format!("an empty pattern in `{text}`"));
            }
            let mut source = String::from("^");
            for c in pattern.chars() {
                match c {
                    '*' => source.push_str(".*"),
                    '?' => source.push('.'),
                    c => source.push_str(&regex::escape(&c.to_string())),
                }
            }
            source.push('$');
            let regex = regex::Regex::new(&source).map_err(|e| e.to_string())?;
            patterns.push((negated, regex));
        }
        Ok(PatternList(patterns))
    }

    /// Matched by a pattern and excluded by none.
    fn matches(&self, text: &str) -> bool {
        let mut matched = false;
        for (negated, regex) in &self.0 {
            if regex.is_match(text) {
                if *negated {
                    return false;
                }
                matched = true;
            }
        }
        matched
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMAZf8hCmlVMnVzn3j7R/OkCWt422oEDAjlDVql6ZTpJ";

    fn signer(line: &str) -> Result<Signer, String> {
        Signer::parse(line)
    }

    #[test]
    fn principals_are_pattern_lists() {
        let s = signer(&format!("ada@example.com,*@release.example.com,!eve@* {KEY} ada")).unwrap();
        assert!(s.principals.matches("ada@example.com"));
        assert!(s.principals.matches("bob@release.example.com"));
        assert!(!s.principals.matches("eve@release.example.com"), "excluded");
        assert!(!s.principals.matches("ada@example.org"));
        assert!(!s.principals.matches("xada@example.com"), "a pattern matches whole");
        let quoted = signer(&format!("\"Ada Lovelace\" {KEY}")).unwrap();
        assert!(quoted.principals.matches("Ada Lovelace"));
        let dots = signer(&format!("a.b@x {KEY}")).unwrap();
        assert!(!dots.principals.matches("aXb@x"), "a dot is a dot");
    }

    #[test]
    fn options_before_the_key() {
        let s = signer(&format!(
            "ada@x namespaces=\"git,cargo-*\",VALID-AFTER=\"20200101\",valid-before=\"20300101120000Z\" {KEY}"
        ))
        .unwrap();
        assert!(s.options.namespaces.as_ref().unwrap().matches(NAMESPACE));
        let before: Timestamp = "2030-01-01T12:00:00Z".parse().unwrap();
        assert_eq!(s.options.valid_before.as_ref().unwrap().0, before);
        assert!(s.options.valid_at("2025-01-01T00:00:00Z".parse().unwrap()));
        assert!(!s.options.valid_at(before));
        assert!(!s.options.valid_at("2019-06-01T00:00:00Z".parse().unwrap()));
    }

    #[test]
    fn malformed_lines_say_what_is_wrong() {
        for (line, expected) in [
            (format!("ada@x cert-authority {KEY}"), "`cert-authority` lines are not supported"),
            (format!("ada@x restrict {KEY}"), "unknown option `restrict`"),
            (format!("ada@x valid-after=\"2020\" {KEY}"), "`2020` is not a time"),
            (format!("ada@x valid-after=\"20201340\" {KEY}"), "is not a time"),
            ("ada@x".to_owned(), "no public key"),
            ("ada@x ssh-ed25519 AAAA!!".to_owned(), "not a public key"),
            (format!("ada@x namespaces=\"git {KEY}"), "never closed"),
            (format!(",ada@x {KEY}"), "an empty pattern"),
        ] {
            let why = signer(&line).unwrap_err();
            assert!(why.contains(expected), "{line}: {why}");
        }
        let (line, why) =
            AllowedSigners::parse(&format!("# who\n\n{KEY}x y\nada@x {KEY}\n")).unwrap_err();
        assert_eq!(line, 3, "{why}");
    }
}
