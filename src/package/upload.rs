//! The JSON metadata `cargo publish` sends beside the `.crate` (the crates.io API's
//! `NewCrate`, as cargo's `crates-io` crate defines it): crates.io refuses it over 1 MiB, and
//! the README's whole text travels in it.

use std::collections::BTreeMap;

use cargo_metadata::DependencyKind;
use serde::Serialize;

use crate::workspace::Member;

/// crates.io's limit on the upload's JSON metadata.
pub const MAX_METADATA_SIZE: u64 = 1024 * 1024;

/// The fields of cargo's `NewCrate`, in its order.
#[derive(Serialize)]
struct NewCrate<'a> {
    name: &'a str,
    vers: String,
    deps: Vec<NewDependency<'a>>,
    features: &'a BTreeMap<String, Vec<String>>,
    authors: &'a [String],
    description: Option<&'a str>,
    documentation: Option<&'a str>,
    homepage: Option<&'a str>,
    readme: Option<&'a str>,
    readme_file: Option<&'a str>,
    keywords: &'a [String],
    categories: &'a [String],
    license: Option<&'a str>,
    license_file: Option<&'a str>,
    repository: Option<&'a str>,
    badges: BTreeMap<String, BTreeMap<String, String>>,
    links: Option<&'a str>,
    rust_version: Option<&'a str>,
}

#[derive(Serialize)]
struct NewDependency<'a> {
    optional: bool,
    default_features: bool,
    name: &'a str,
    features: &'a [String],
    version_req: String,
    target: Option<String>,
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    explicit_name_in_toml: Option<&'a str>,
}

/// The size in bytes of the JSON cargo would send for `member`, with `readme` as the
/// README's text.
pub fn metadata_size(member: &Member, readme: Option<&str>) -> u64 {
    let p = &member.package;
    let deps = p
        .dependencies
        .iter()
        // cargo sends what stays in the published manifest: dev-dependencies without a
        // version requirement are stripped.
        .filter(|d| d.kind != DependencyKind::Development || !d.req.comparators.is_empty())
        .map(|d| NewDependency {
            optional: d.optional,
            default_features: d.uses_default_features,
            name: &d.name,
            features: &d.features,
            version_req: d.req.to_string(),
            target: d.target.as_ref().map(ToString::to_string),
            kind: match d.kind {
                DependencyKind::Development => "dev",
                DependencyKind::Build => "build",
                _ => "normal",
            },
            explicit_name_in_toml: d.rename.as_deref(),
        })
        .collect();
    let new_crate = NewCrate {
        name: p.name.as_str(),
        vers: p.version.to_string(),
        deps,
        features: &p.features,
        authors: &p.authors,
        description: p.description.as_deref(),
        documentation: p.documentation.as_deref(),
        homepage: p.homepage.as_deref(),
        readme,
        readme_file: p.readme.as_ref().map(|r| r.as_str()),
        keywords: &p.keywords,
        categories: &p.categories,
        license: p.license.as_deref(),
        license_file: p.license_file.as_ref().map(|f| f.as_str()),
        repository: p.repository.as_deref(),
        badges: BTreeMap::new(),
        links: p.links.as_deref(),
        rust_version: member.rust_version.as_deref(),
    };
    serde_json::to_vec(&new_crate).map_or(0, |json| json.len() as u64)
}
