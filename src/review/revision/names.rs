//! The names a past revision's tree may give its entries. Git's own checkout refuses some
//! names (`.`, `..`, `.git` and its look-alikes on HFS+ and NTFS); a crafted tree holds
//! them anyway, and names with a slash or two entries of one name, which a checkout that
//! joins paths would read as a path through another entry. Each name is judged on its own
//! here, and two names of one folder are compared by [`folded`].

use gix::bstr::{BStr, BString, ByteSlice};
use gix::validate::path::component;

/// Why a name is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadName {
    #[error("has an empty name")]
    Empty,
    #[error("has a name of {0} bytes, longer than a file system holds (255)")]
    TooLong(usize),
    #[error("is named `.` or `..`")]
    Relative,
    #[error("has a name with a slash or a backslash")]
    Separator,
    #[error("has a name with a NUL byte")]
    Nul,
    #[error("is named like `.git`, which git never checks out")]
    DotGit,
    #[error("is a `.gitmodules` that is a symbolic link")]
    LinkedGitmodules,
    #[error("has a name this platform cannot hold ({0})")]
    Platform(String),
}

/// Whether `name` may name an entry (`is_link`: of a symbolic link).
pub fn judge(name: &BStr, is_link: bool) -> Result<(), BadName> {
    if name.is_empty() {
        return Err(BadName::Empty);
    }
    // `NAME_MAX` of Linux and macOS, and Windows' limit (in UTF-16 units, so never fewer).
    if name.len() > 255 {
        return Err(BadName::TooLong(name.len()));
    }
    if name == "." || name == ".." {
        return Err(BadName::Relative);
    }
    if name.find_byteset(b"/\\").is_some() {
        return Err(BadName::Separator);
    }
    if name.contains(&0) {
        return Err(BadName::Nul);
    }
    // Git's checks for `.git` as HFS+ (ignorable code points, case) and NTFS (`GIT~1`,
    // trailing dots and spaces) would read it; Windows' reserved names only on Windows.
    let options = component::Options {
        protect_windows: cfg!(windows),
        protect_hfs: true,
        protect_ntfs: true,
    };
    let mode = is_link.then_some(component::Mode::Symlink);
    match gix::validate::path::component(name, mode, options) {
        Ok(_) => Ok(()),
        Err(component::Error::DotGitDir) => Err(BadName::DotGit),
        Err(component::Error::SymlinkedGitModules) => Err(BadName::LinkedGitmodules),
        Err(other) => Err(BadName::Platform(other.to_string())),
    }
}

/// Whether `name`, a component of a link's target, names `.git` as a checkout would read it.
pub fn is_dot_git(name: &BStr) -> bool {
    judge(name, false) == Err(BadName::DotGit)
}

/// The key two names of one folder collide under on a case-insensitive file system that
/// also ignores Unicode normalization (macOS's default; Windows' ignores case): composed
/// (NFC) and lowercase when the name is UTF-8, ASCII-lowercase otherwise.
pub fn folded(name: &BStr) -> BString {
    match name.to_str() {
        Ok(text) => gix::utils::str::precompose(text.into()).to_lowercase().into(),
        Err(_) => name.to_ascii_lowercase().into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judged(name: &[u8]) -> Result<(), BadName> {
        judge(name.as_bstr(), false)
    }

    #[test]
    fn plain_names_pass() {
        for name in [&b"src"[..], b"lib.rs", b".github", b".gitignore", b"a b", b"\xff\xfe", b"..."]
        {
            assert_eq!(judged(name), Ok(()), "{:?}", name.as_bstr());
        }
        assert_eq!(judge(b".gitmodules".as_bstr(), false), Ok(()));
    }

    #[test]
    fn names_that_are_paths_are_refused() {
        assert_eq!(judged(b""), Err(BadName::Empty));
        assert_eq!(judged(b"."), Err(BadName::Relative));
        assert_eq!(judged(b".."), Err(BadName::Relative));
        assert_eq!(judged(b"a/b"), Err(BadName::Separator));
        assert_eq!(judged(b"/"), Err(BadName::Separator));
        assert_eq!(judged(b"..\\x"), Err(BadName::Separator));
        assert_eq!(judged(b"a\0b"), Err(BadName::Nul));
        assert_eq!(judged(&[b'x'; 256]), Err(BadName::TooLong(256)));
        assert_eq!(judged(&[b'x'; 255]), Ok(()));
    }

    #[test]
    fn every_spelling_of_dot_git_is_refused() {
        // Case (any file system), HFS+'s ignorable zero-width joiner, NTFS's short name and
        // its trailing dots and spaces.
        for name in
            [&b".git"[..], b".GIT", b".Git", b".g\xe2\x80\x8cit", b"git~1", b".git.", b".git "]
        {
            assert_eq!(judged(name), Err(BadName::DotGit), "{:?}", name.as_bstr());
            assert!(is_dot_git(name.as_bstr()));
        }
        assert_eq!(judge(b".gitmodules".as_bstr(), true), Err(BadName::LinkedGitmodules));
    }

    #[test]
    fn names_collide_by_case_and_normalization() {
        assert_eq!(folded(b"README.md".as_bstr()), folded(b"readme.MD".as_bstr()));
        assert_eq!(folded("Ärger".as_bytes().as_bstr()), folded("ärger".as_bytes().as_bstr()));
        // Composed and decomposed `é`: one name on macOS.
        assert_eq!(
            folded("caf\u{e9}".as_bytes().as_bstr()),
            folded("cafe\u{301}".as_bytes().as_bstr())
        );
        assert_eq!(folded(b"A\xff".as_bstr()), folded(b"a\xff".as_bstr()));
        assert_ne!(folded(b"a".as_bstr()), folded(b"b".as_bstr()));
    }
}
