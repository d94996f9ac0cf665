use std::process::ExitCode;

use cargo_readiness::base::format::escape_terminal;
use cargo_readiness::base::shown::Shown;
use cargo_readiness::cli::{Cli, Command};

fn main() -> ExitCode {
    // Cargo's compiler wrapper in a `--build` build (the documentation pass).
    if let Some(code) = cargo_readiness::build::wrapper_main() {
        std::process::exit(code);
    }
    let cli = Cli::from_env();
    let review = match &cli.command {
        Some(Command::Verify(_)) => Some(cargo_readiness::review::verify::run(
            &cli,
            &cargo_readiness::checks::gate::blockers,
        )),
        Some(Command::Sign(args)) => Some(cargo_readiness::review::sign::run(&cli, args)),
        None => None,
    };
    if let Some(result) = review {
        return match result {
            Ok(code) => ExitCode::from(code as u8),
            Err(err) => fail(&err),
        };
    }
    match cargo_readiness::run(&cli) {
        Ok(outcome) => {
            if cli.open
                && let Err(why) = open(&outcome.index)
            {
                let warning = format!(
                    "--open: no browser could be started ({why}); the report is {}",
                    outcome.index.display()
                );
                eprintln!("warning: {}", escape_terminal(&Shown::new(warning)));
            }
            ExitCode::from(outcome.exit_code as u8)
        }
        Err(err) => fail(&err),
    }
}

/// Opens the report in the browser (`$BROWSER` when set), or says why it cannot. Where a
/// browser is started through xdg-open (Linux and the BSDs), its failure is never
/// reported back, so a missing graphical session is found here first.
fn open(index: &std::path::Path) -> Result<(), String> {
    let var = |name| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    if cfg!(all(unix, not(target_os = "macos")))
        && !["DISPLAY", "WAYLAND_DISPLAY", "BROWSER", "WSL_DISTRO_NAME"].into_iter().any(var)
    {
        return Err("no graphical session: DISPLAY, WAYLAND_DISPLAY and BROWSER are unset".into());
    }
    opener::open_browser(index).map_err(|err| err.to_string())
}

/// A run that produced nothing: one line, exit code 2. The message may quote cargo, a
/// manifest or a setting, and so a secret: it is printed as [`Shown`].
fn fail(err: &cargo_readiness::Error) -> ExitCode {
    let message = Shown::new(err.to_string().replace('\n', " "));
    eprintln!("error: {}", escape_terminal(&message));
    ExitCode::from(2)
}
