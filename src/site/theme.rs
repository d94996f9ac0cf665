//! The theme: Tera templates, static assets and the preview card's fonts. The default
//! theme is embedded in the binary; `--theme DIR` replaces any single file of it
//! (`templates/NAME`, `static/NAME`, `card.toml` for the card's colours,
//! `fonts/card-regular.ttf` with `fonts/card-bold.ttf`) and may add new ones.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tera::Tera;

use crate::base::error::{Error, one_line};
use crate::base::format::{escape_html, escape_markdown};
use crate::base::shown::Shown;
use crate::site::card::{CardColors, CardTheme};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

pub use embedded::GUIDE;

/// The largest theme file read (fonts are the largest of the default theme's, about 750 KB).
const MAX_THEME_FILE: u64 = 16 * 1024 * 1024;

/// A theme with its templates compiled and its card fonts parsed.
pub struct Theme {
    pub tera: Tera,
    /// Files copied to `<out>/assets/`, by name.
    pub assets: BTreeMap<String, Vec<u8>>,
    /// Fonts and colours of the preview cards: DejaVu Sans from the `dejavu` crate, or the
    /// theme folder's `fonts/card-regular.ttf` and `fonts/card-bold.ttf`.
    pub card: CardTheme,
    /// SHA-256 (hex) of every file of the theme, overrides included: part of the key of
    /// every page rendered with it.
    pub identity: String,
}

impl Theme {
    /// The default theme, with the files of `overrides` (if any) in place of its own.
    pub fn load(overrides: Option<&Path>) -> Result<Theme, Error> {
        let mut files: BTreeMap<String, Vec<u8>> = embedded::THEME
            .iter()
            .map(|(name, bytes)| ((*name).to_owned(), bytes.to_vec()))
            .collect();
        if let Some(dir) = overrides {
            // A theme may come from the checkout too: its files must stay inside its folder
            // (a link to /proc/self/environ is refused), and each is read up to a bound.
            let jail = crate::base::paths::Confinement::new(dir);
            for (name, path) in theme_files(dir)? {
                let real = jail.regular_file(dir, &path).map_err(|refused| Error::Theme {
                    path: path.clone(),
                    message: refused.to_string(),
                })?;
                let bytes = crate::base::paths::read_bounded(&real, MAX_THEME_FILE)
                    .map_err(|e| Error::io(&path, e))?;
                files.insert(name, bytes);
            }
        }

        let identity = {
            use sha2::{Digest, Sha256};
            let mut hasher = Sha256::new();
            for (name, bytes) in &files {
                hasher.update(name.as_bytes());
                hasher.update((bytes.len() as u64).to_le_bytes());
                hasher.update(bytes);
            }
            crate::base::format::hex(&hasher.finalize())
        };
        let mut templates = Vec::new();
        let mut assets = BTreeMap::new();
        let regular = files.remove("fonts/card-regular.ttf");
        let bold = files.remove("fonts/card-bold.ttf");
        let mut card = match (regular, bold) {
            (None, None) => CardTheme::default_theme(),
            (Some(regular), Some(bold)) => CardTheme::with_fonts(regular, bold),
            _ => {
                return Err(Error::Theme {
                    path: overrides.unwrap_or(Path::new("theme")).join("fonts"),
                    message: "needs both card-regular.ttf and card-bold.ttf".into(),
                });
            }
        }
        .map_err(|e| Error::Theme {
            path: overrides.unwrap_or(Path::new("theme")).join("fonts"),
            message: e.to_string(),
        })?;
        if let Some(bytes) = files.remove("card.toml") {
            let path = overrides.unwrap_or(Path::new("theme")).join("card.toml");
            apply_card_colors(&bytes, &mut card.colors)
                .map_err(|message| Error::Theme { path, message })?;
        }
        for (name, bytes) in files {
            if let Some(template) = name.strip_prefix("templates/") {
                let text = String::from_utf8(bytes).map_err(|_| Error::Theme {
                    path: PathBuf::from(&name),
                    message: "template is not UTF-8".into(),
                })?;
                templates.push((template.to_owned(), text));
            } else if let Some(asset) = name.strip_prefix("static/") {
                assets.insert(asset.to_owned(), bytes);
            }
        }
        let mut tera = Tera::default();
        // Templates must not read the environment of the job that renders them.
        tera.register_function(
            "get_env",
            |_: &std::collections::HashMap<String, tera::Value>| -> tera::Result<tera::Value> {
                Err("get_env is not available to cargo-readiness themes".into())
            },
        );
        // Every way a template turns a value into text goes through `Shown`, whatever view
        // the value comes from: HTML autoescaping, `escape`, `md` and `highlight`.
        // Text from the checkout in Markdown output (summary.md): `{{ name | md }}`.
        tera.register_filter(
            "md",
            |value: &tera::Value, _: &std::collections::HashMap<String, tera::Value>| {
                Ok(tera::Value::String(escape_markdown(&shown(value))))
            },
        );
        tera.register_filter(
            "escape",
            |value: &tera::Value, _: &std::collections::HashMap<String, tera::Value>| {
                Ok(tera::Value::String(escape_html(&shown(value))))
            },
        );
        // Code as highlighted, escaped HTML: `{{ text | highlight(lang="toml") | safe }}`.
        tera.register_filter(
            "highlight",
            |value: &tera::Value, args: &std::collections::HashMap<String, tera::Value>| {
                let text = value.as_str().ok_or("highlight takes text")?;
                let lang = args.get("lang").and_then(tera::Value::as_str).unwrap_or("");
                Ok(tera::Value::String(crate::preview::readme::highlight(lang, &Shown::new(text))))
            },
        );
        tera.autoescape_on(vec![".html"]);
        tera.set_escape_fn(|text| escape_html(&Shown::new(text)));
        tera.add_raw_templates(templates).map_err(|e| Error::Template {
            name: overrides.map_or("default theme".into(), |d| d.display().to_string()),
            message: tera_message(&e),
        })?;
        Ok(Theme { tera, assets, card, identity })
    }

    /// Renders one template with a serializable view.
    pub fn render(&self, template: &str, view: &impl serde::Serialize) -> Result<String, Error> {
        let context = tera::Context::from_serialize(view).map_err(|e| Error::Template {
            name: template.to_owned(),
            message: tera_message(&e),
        })?;
        self.tera
            .render(template, &context)
            .map_err(|e| Error::Template { name: template.to_owned(), message: tera_message(&e) })
    }
}

/// `card.toml` of a theme: any of the card's colours, as `"#rrggbb"`.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct CardColorsFile {
    background: Option<String>,
    text: Option<String>,
    muted: Option<String>,
    rule: Option<String>,
    header_bg: Option<String>,
    header_text: Option<String>,
    header_muted: Option<String>,
    accent: Option<String>,
    footer: Option<String>,
    tag_bg: Option<String>,
    tag_text: Option<String>,
    ready_bg: Option<String>,
    ready_fg: Option<String>,
    warnings_bg: Option<String>,
    warnings_fg: Option<String>,
    blocked_bg: Option<String>,
    blocked_fg: Option<String>,
    skipped_bg: Option<String>,
    skipped_fg: Option<String>,
}

fn apply_card_colors(bytes: &[u8], colors: &mut CardColors) -> Result<(), String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "is not UTF-8".to_owned())?;
    let file: CardColorsFile = toml::from_str(text).map_err(|e| one_line(&e.to_string()))?;
    let slots: [(Option<String>, &mut [u8; 3]); 19] = [
        (file.background, &mut colors.background),
        (file.text, &mut colors.text),
        (file.muted, &mut colors.muted),
        (file.rule, &mut colors.rule),
        (file.header_bg, &mut colors.header_bg),
        (file.header_text, &mut colors.header_text),
        (file.header_muted, &mut colors.header_muted),
        (file.accent, &mut colors.accent),
        (file.footer, &mut colors.footer),
        (file.tag_bg, &mut colors.tag_bg),
        (file.tag_text, &mut colors.tag_text),
        (file.ready_bg, &mut colors.ready.bg),
        (file.ready_fg, &mut colors.ready.fg),
        (file.warnings_bg, &mut colors.warnings.bg),
        (file.warnings_fg, &mut colors.warnings.fg),
        (file.blocked_bg, &mut colors.blocked.bg),
        (file.blocked_fg, &mut colors.blocked.fg),
        (file.skipped_bg, &mut colors.skipped.bg),
        (file.skipped_fg, &mut colors.skipped.fg),
    ];
    for (value, slot) in slots {
        if let Some(value) = value {
            *slot = hex_color(&value)
                .ok_or_else(|| format!("`{value}` is not a colour like \"#b7410e\""))?;
        }
    }
    Ok(())
}

fn hex_color(value: &str) -> Option<[u8; 3]> {
    let hex = value.strip_prefix('#')?;
    if hex.len() != 6 || !hex.is_ascii() {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some([byte(0)?, byte(2)?, byte(4)?])
}

/// A template's value as text, shown.
fn shown(value: &tera::Value) -> Shown {
    match value {
        tera::Value::String(text) => Shown::new(text),
        other => Shown::new(other.to_string()),
    }
}

/// A Tera error and its causes on one line.
fn tera_message(error: &tera::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    one_line(&text)
}

/// The files of a theme folder, keyed like the embedded ones (`templates/x.html`).
fn theme_files(dir: &Path) -> Result<Vec<(String, PathBuf)>, Error> {
    if !dir.is_dir() {
        return Err(Error::Theme { path: dir.to_path_buf(), message: "no such directory".into() });
    }
    let mut files = Vec::new();
    if dir.join("card.toml").is_file() {
        files.push(("card.toml".to_owned(), dir.join("card.toml")));
    }
    for sub in ["templates", "static", "fonts"] {
        let base = dir.join(sub);
        if !base.is_dir() {
            continue;
        }
        for entry in walkdir::WalkDir::new(&base).follow_links(true).sort_by_file_name() {
            let entry = entry.map_err(|e| Error::Theme {
                path: e.path().unwrap_or(&base).to_path_buf(),
                message: one_line(&e.to_string()),
            })?;
            if entry.file_type().is_file() {
                let rel = entry.path().strip_prefix(&base).unwrap_or(entry.path());
                files.push((
                    format!("{sub}/{}", crate::base::format::slash_path(rel)),
                    entry.into_path(),
                ));
            }
        }
    }
    if files.is_empty() {
        return Err(Error::Theme {
            path: dir.to_path_buf(),
            message: "has no card.toml, templates/, static/ or fonts/ files to use".into(),
        });
    }
    Ok(files)
}
