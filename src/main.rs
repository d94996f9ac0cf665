use std::process::ExitCode;

use cargo_readiness::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::from_env();
    match cargo_readiness::run(&cli) {
        Ok(outcome) => {
            if cli.open
                && let Err(err) = opener::open(&outcome.index)
            {
                eprintln!("warning: could not open {}: {err}", outcome.index.display());
            }
            ExitCode::from(outcome.exit_code as u8)
        }
        Err(err) => {
            eprintln!("error: {}", err.to_string().replace('\n', " "));
            ExitCode::from(2)
        }
    }
}
