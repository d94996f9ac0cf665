//! The command line, with the conventions of cargo subcommands.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

const EXAMPLES: &str = "\
Examples:
  cargo readiness                                   Report on the workspace around the current directory
  cargo readiness --manifest-path examples/demo/Cargo.toml --open
  cargo readiness -p my-crate --out site            One crate, site written to ./site
  cargo readiness --deny warnings -q                In CI: fail on blockers and warnings, print only errors
  cargo readiness --baseline auto                   Also show what changed since each crate's last release tag
  cargo readiness --online                          Also ask crates.io: already published? yanked dependencies?
  cargo readiness sign -p my-crate                  Sign my-crate off with your SSH key (appends to readiness-signoff.toml)
  cargo readiness verify                            Before `cargo publish`: is every crate signed off?
  cargo readiness verify --allowed-signers origin/main:.github/allowed_signers
                                                    Count only sign-offs signed by a listed reviewer's key
  cargo readiness verify --published                After it: does crates.io serve what was signed off?

Exit status:
  0  the report was written and no crate is blocked
  1  the report was written and some crate is blocked (or has warnings, with --deny warnings)
  2  no report could be produced (the error names the file and the problem)
  (verify: 0 every crate is signed off, 1 some is not, 2 the sign-off file or the allowed
  signers are malformed)";

/// Release-readiness reports for the crates of a Cargo workspace: exactly what `cargo publish`
/// would upload, whether crates.io would accept it, and in which order to publish.
#[derive(Debug, Parser)]
#[command(
    name = "cargo-readiness",
    bin_name = "cargo readiness",
    version,
    about,
    after_help = EXAMPLES,
    max_term_width = 100,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Path to Cargo.toml [default: the one cargo finds from the current directory]
    #[arg(long, global = true, value_name = "PATH", help_heading = "Package Selection")]
    pub manifest_path: Option<PathBuf>,

    /// Report only on this crate (NAME or NAME@VERSION); repeatable
    #[arg(
        short = 'p',
        long = "package",
        global = true,
        value_name = "SPEC",
        help_heading = "Package Selection"
    )]
    pub packages: Vec<String>,

    /// Report on every member of the workspace (the default)
    #[arg(long, global = true, conflicts_with = "packages", help_heading = "Package Selection")]
    pub workspace: bool,

    /// Leave this crate out (NAME or NAME@VERSION); repeatable
    #[arg(
        long,
        global = true,
        value_name = "SPEC",
        conflicts_with = "packages",
        help_heading = "Package Selection"
    )]
    pub exclude: Vec<String>,

    /// Compare each crate with its archive at a git revision (a tag, branch or commit), or
    /// with its latest release tag: `auto` (<name>-v<version>, <name>-<version>,
    /// <name>@<version>, <name>/v<version>; v<version> or <version> where the tag's tree
    /// holds the crate at that version)
    #[arg(long, value_name = "REV", help_heading = "Comparison")]
    pub baseline: Option<String>,

    /// Also build each publishable crate from its packaged archive, as cargo publish does,
    /// and document it with the docs.rs settings stable cargo honours (runs build scripts
    /// and proc-macros: off by default)
    #[arg(long, help_heading = "Comparison")]
    pub build: bool,

    /// Ask the registry what it already holds: published versions, yanked dependencies, the
    /// previous release's .crate to compare with (off by default: every run is offline)
    #[arg(long, help_heading = "Registry")]
    pub online: bool,

    /// The registry to ask, by name, read as cargo reads it (CARGO_REGISTRIES_<NAME>_INDEX,
    /// else [registries.NAME] in $CARGO_HOME/config.toml) [default: registry.default, else
    /// crates.io]
    #[arg(
        long,
        global = true,
        value_name = "NAME",
        conflicts_with = "index",
        help_heading = "Registry"
    )]
    pub registry: Option<String>,

    /// The registry to ask, by its sparse index URL (sparse+https://…)
    #[arg(long, global = true, value_name = "URL", help_heading = "Registry")]
    pub index: Option<String>,

    /// Where to write the site [default: <cargo target dir>/readiness]
    #[arg(long, value_name = "DIR", help_heading = "Output")]
    pub out: Option<PathBuf>,

    /// A folder whose files replace the default theme's, one by one
    /// (templates/*.html, static/*)
    #[arg(long, value_name = "DIR", help_heading = "Output")]
    pub theme: Option<PathBuf>,

    /// Absolute URL the site will be served from; used only for absolute links such as
    /// og:image (e.g. https://me.github.io/project/readiness/)
    #[arg(long, value_name = "URL", help_heading = "Output")]
    pub base_url: Option<String>,

    /// Where the full report can be found when it is not served (a CI run's page, whose
    /// artifact holds the site; https:// only): summary.md links there, and to no page of
    /// the site, whose links would not resolve in a pull-request comment
    #[arg(long, value_name = "URL", help_heading = "Output", conflicts_with = "base_url")]
    pub report_url: Option<String>,

    /// Also write each crate's .crate archive, as cargo would build it, beside its page
    /// (crates/<name>/<name>-<version>.crate) for inspection
    #[arg(long, help_heading = "Output")]
    pub emit_crate: bool,

    /// Write into an --out folder that holds files cargo-readiness did not write (they are
    /// kept; only the site's own files are written)
    #[arg(long, help_heading = "Output")]
    pub force: bool,

    /// The cache folder (archive sizes and scans, rendered pages), kept outside the checkout
    /// [default: $CARGO_READINESS_CACHE_DIR, else $XDG_CACHE_HOME/cargo-readiness, else
    /// ~/.cache/cargo-readiness]
    #[arg(long, global = true, value_name = "DIR", help_heading = "Output")]
    pub cache_dir: Option<std::path::PathBuf>,

    /// Open index.html in the browser when done
    #[arg(long, help_heading = "Output")]
    pub open: bool,
    /// Append summary.md to the file named by $GITHUB_STEP_SUMMARY (a GitHub Actions job's
    /// summary page)
    #[arg(long, help_heading = "Output")]
    pub step_summary: bool,
    /// human: a line per crate; json: report.json on standard output (the lines go to
    /// standard error)
    #[arg(long, value_enum, value_name = "FMT", default_value_t = MessageFormat::Human, help_heading = "Display")]
    pub message_format: MessageFormat,

    /// Print nothing but errors
    #[arg(short, long, global = true, conflicts_with = "verbose", help_heading = "Display")]
    pub quiet: bool,

    /// Also print each failing check (-v) and where time went (-vv)
    #[arg(short, long, global = true, action = clap::ArgAction::Count, help_heading = "Display")]
    pub verbose: u8,

    /// Coloring of terminal output
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = ColorWhen::Auto, help_heading = "Display")]
    pub color: ColorWhen,

    /// Also exit with 1 when some crate has warnings
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub deny: Vec<DenyLevel>,

    #[command(flatten)]
    pub trust: TrustArgs,
}

/// Who may sign off, and how many must: for the report and for `verify`.
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Sign-off")]
pub struct TrustArgs {
    /// Count only sign-offs whose SSH signature verifies for a key listed for their
    /// reviewer in this allowed-signers file (git's format), or at a git revision as
    /// REV:PATH (e.g. origin/main:.github/allowed_signers), read from git's objects
    #[arg(long, value_name = "SOURCE")]
    pub allowed_signers: Option<String>,

    /// Distinct reviewers each crate's version needs; the larger of this and
    /// [workspace.metadata.readiness.signoff] required counts [default: 1]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub required: Option<u32>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the sign-offs in readiness-signoff.toml before `cargo publish`: exit 0 when
    /// every selected publishable crate is signed off for its version and fingerprint, 1
    /// otherwise (saying what is missing and what changed since the signed-off commit).
    /// Writes no site.
    Verify(VerifyArgs),
    /// Sign the selected crates off: their fingerprint now, signed with your SSH key
    /// (ssh-keygen -Y sign, namespace cargo-readiness), appended to readiness-signoff.toml.
    Sign(SignArgs),
}

#[derive(Debug, Clone, Default, clap::Args)]
pub struct VerifyArgs {
    /// After `cargo publish`: check that what the registry now serves for each signed-off
    /// crate is what was signed off (the index's checksum, else the downloaded .crate's
    /// fingerprint), and that the commit its trusted-publishing record names is the
    /// signed-off commit
    #[arg(long)]
    pub published: bool,

    #[command(flatten)]
    pub trust: TrustArgs,
}

#[derive(Debug, Clone, Default, clap::Args)]
pub struct SignArgs {
    /// Your SSH key: a private key file, or a public key whose private half is in
    /// ssh-agent [default: git's user.signingKey, else ~/.ssh/id_ed25519, id_ecdsa, id_rsa]
    #[arg(long, value_name = "PATH")]
    pub key: Option<PathBuf>,

    /// The principal you sign as, as the allowed-signers file lists you [default: git's
    /// user.email from your own git configuration, never the checkout's]
    #[arg(long, value_name = "PRINCIPAL")]
    pub reviewer: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MessageFormat {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DenyLevel {
    /// Treat a crate with warnings like a blocked one for the exit status
    Warnings,
}

impl Cli {
    /// Parses the process arguments, accepting both `cargo readiness …` (where cargo passes
    /// `readiness` as the first argument) and `cargo-readiness …`.
    pub fn from_env() -> Self {
        let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
        if args.get(1).is_some_and(|a| a == "readiness") {
            args.remove(1);
        }
        Cli::parse_from(args)
    }

    pub fn deny_warnings(&self) -> bool {
        self.deny.contains(&DenyLevel::Warnings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn verify_takes_the_selection_but_not_the_reports_options() {
        let cli = Cli::try_parse_from([
            "cargo-readiness",
            "verify",
            "-p",
            "a",
            "--manifest-path",
            "x/Cargo.toml",
        ])
        .unwrap();
        assert!(matches!(cli.command, Some(Command::Verify(VerifyArgs { published: false, .. }))));
        assert_eq!(cli.packages, ["a"]);
        assert!(Cli::try_parse_from(["cargo-readiness", "verify", "--out", "site"]).is_err());
        assert!(Cli::try_parse_from(["cargo-readiness", "--out", "site", "verify"]).is_err());
    }
}
