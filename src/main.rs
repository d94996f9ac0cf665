use std::process::ExitCode;

use cargo_readiness::cli::{Cli, Command};

fn main() -> ExitCode {
    // Cargo's compiler wrapper in a `--build` build (the documentation pass).
    if let Some(code) = cargo_readiness::build::wrapper_main() {
        std::process::exit(code);
    }
    let cli = Cli::from_env();
    if let Some(Command::Verify(_)) = cli.command {
        return match cargo_readiness::review::verify::run(&cli) {
            Ok(code) => ExitCode::from(code as u8),
            Err(err) => fail(&err),
        };
    }
    match cargo_readiness::run(&cli) {
        Ok(outcome) => {
            if cli.open
                && let Err(err) = opener::open(&outcome.index)
            {
                let index = outcome.index.display().to_string();
                let index = cargo_readiness::base::format::escape_terminal(&index);
                eprintln!("warning: could not open {index}: {err}");
            }
            ExitCode::from(outcome.exit_code as u8)
        }
        Err(err) => fail(&err),
    }
}

/// A run that produced nothing: one line, exit code 2.
fn fail(err: &cargo_readiness::Error) -> ExitCode {
    let message = err.to_string().replace('\n', " ");
    eprintln!("error: {}", cargo_readiness::base::format::escape_terminal(&message));
    ExitCode::from(2)
}
