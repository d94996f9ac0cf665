//! The terminal's part of a run: the progress bar while crates are packaged, and the
//! verdict lines at the end.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use anstyle::{AnsiColor, Style};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::base::format::{escape_terminal, human_size, plural};
use crate::base::shown::Shown;
use crate::cli::{Cli, ColorWhen, MessageFormat};
use crate::report::Verdict;

use super::Outcome;

pub fn progress_bar(cli: &Cli, len: usize) -> ProgressBar {
    if cli.quiet || !std::io::stderr().is_terminal() || len < 2 {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len as u64), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(match cli.build {
            true => "{spinner} packaging and building {pos}/{len} {wide_msg}",
            false => "{spinner} packaging {pos}/{len} {wide_msg}",
        })
        .expect("valid progress template"),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

pub fn print(cli: &Cli, outcome: &Outcome, timings: &[(&str, Duration)]) {
    let choice = match cli.color {
        ColorWhen::Auto => anstream::ColorChoice::Auto,
        ColorWhen::Always => anstream::ColorChoice::Always,
        ColorWhen::Never => anstream::ColorChoice::Never,
    };
    // With --message-format json, standard output carries the JSON alone.
    match cli.message_format {
        MessageFormat::Human => {
            let out = anstream::AutoStream::new(std::io::stdout().lock(), choice);
            print_lines(out, cli, outcome, timings);
        }
        MessageFormat::Json => {
            let out = anstream::AutoStream::new(std::io::stderr().lock(), choice);
            print_lines(out, cli, outcome, timings);
        }
    }
}

fn print_lines(mut out: impl Write, cli: &Cli, outcome: &Outcome, timings: &[(&str, Duration)]) {
    let width =
        outcome.report.crates.iter().map(|c| c.name.len() + c.version.len() + 1).max().unwrap_or(0);
    for krate in &outcome.report.crates {
        let tally = krate.tally();
        let style = verdict_style(krate.verdict);
        let label = format!("{:>8}", krate.verdict.as_str());
        let name = format!("{} {}", escape_terminal(&krate.name), escape_terminal(&krate.version));
        let findings = if krate.verdict == Verdict::Skipped {
            "publish = false".to_owned()
        } else {
            format!("{}, {}", plural(tally.blockers, "blocker"), plural(tally.warnings, "warning"))
        };
        let _ = writeln!(
            out,
            "{style}{label}{style:#} {name:<width$}  {findings:<24}  {}, {} ({} compressed)",
            plural(krate.archive.file_count, "file"),
            human_size(krate.archive.unpacked_size),
            human_size(krate.archive.compressed_size),
        );
        if cli.verbose > 0 && krate.verdict != Verdict::Skipped {
            for check in krate.checks.iter().filter(|c| c.counts()) {
                // A long finding (a compiler's output) shows its first lines; the page has
                // the rest.
                let mut lines = check.message.lines();
                let first = lines.next().unwrap_or_default();
                let _ = writeln!(
                    out,
                    "         {:>7} {}: {}",
                    check.severity.as_str(),
                    check.id,
                    escape_terminal(&first)
                );
                for line in lines.by_ref().take(6) {
                    let _ = writeln!(out, "                 {}", escape_terminal(&line));
                }
                let more = lines.count();
                if more > 0 {
                    let _ = writeln!(out, "                 … {more} more lines on the page");
                }
            }
        }
    }
    if cli.verbose > 1 {
        for (stage, time) in timings {
            let _ = writeln!(out, "{:>8} {stage}: {:.0?}", "time", time);
        }
    }
    let index = escape_terminal(&Shown::new(outcome.index.display().to_string()));
    let _ = writeln!(out, "{:>8} {index}", "report");
}

fn verdict_style(verdict: Verdict) -> Style {
    let color = match verdict {
        Verdict::Ready => AnsiColor::Green,
        Verdict::Warnings => AnsiColor::Yellow,
        Verdict::Blocked => AnsiColor::Red,
        Verdict::Skipped => AnsiColor::BrightBlack,
    };
    Style::new().fg_color(Some(color.into())).bold()
}
