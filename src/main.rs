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
                && let Err(err) = opener::open(&outcome.index)
            {
                let warning = format!("could not open {}: {err}", outcome.index.display());
                eprintln!("warning: {}", escape_terminal(&Shown::new(warning)));
            }
            ExitCode::from(outcome.exit_code as u8)
        }
        Err(err) => fail(&err),
    }
}

/// A run that produced nothing: one line, exit code 2. The message may quote cargo, a
/// manifest or a setting, and so a secret: it is printed as [`Shown`].
fn fail(err: &cargo_readiness::Error) -> ExitCode {
    let message = Shown::new(err.to_string().replace('\n', " "));
    eprintln!("error: {}", escape_terminal(&message));
    ExitCode::from(2)
}
