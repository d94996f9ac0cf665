use std::process::ExitCode;

use cargo_readiness::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::from_env();
    match cargo_readiness::run(&cli) {
        Ok(outcome) => {
            if cli.open
                && let Err(err) = opener::open(&outcome.index)
            {
                let index = outcome.index.display().to_string();
                let index = cargo_readiness::format::escape_terminal(&index);
                eprintln!("warning: could not open {index}: {err}");
            }
            ExitCode::from(outcome.exit_code as u8)
        }
        Err(err) => {
            let message = err.to_string().replace('\n', " ");
            eprintln!("error: {}", cargo_readiness::format::escape_terminal(&message));
            ExitCode::from(2)
        }
    }
}
