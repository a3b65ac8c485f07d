//! Running commands: echoing their output while counting the tests they report.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, bail};

/// Tests counted across every runner.
#[derive(Default, Debug)]
pub struct Tally {
    pub passed: u64,
    pub failed: u64,
    /// Runs that failed without reporting a count.
    pub errors: u64,
}

pub fn step(title: &str) {
    println!("\n==> {title}");
}

pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

pub fn command_exists(name: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(name).is_file()))
}

pub fn cargo(args: &[&str]) -> anyhow::Result<()> {
    run("cargo", args, &[])
}

pub fn run(program: &str, args: &[&str], env: &[(&str, &str)]) -> anyhow::Result<()> {
    run_in(Path::new("."), program, args, env)
}

pub fn run_in(
    dir: &Path,
    program: &str,
    args: &[&str],
    env: &[(&str, &str)],
) -> anyhow::Result<()> {
    let status = Command::new(program)
        .args(args)
        .current_dir(dir)
        .envs(env.iter().copied())
        .status()
        .with_context(|| format!("could not start {program}"))?;
    if !status.success() {
        bail!("`{program} {}` failed ({status})", args.join(" "));
    }
    Ok(())
}

pub fn run_counted(
    tally: &mut Tally,
    program: &str,
    args: &[&str],
    env: &[(&str, &str)],
) -> anyhow::Result<()> {
    run_counted_in(tally, Path::new("."), program, args, env)
}

/// Runs a test runner, echoing its output, and adds the counts its summary reports. A failing
/// run is counted, not fatal, so every suite runs and the summary tells the whole story.
pub fn run_counted_in(
    tally: &mut Tally,
    dir: &Path,
    program: &str,
    args: &[&str],
    env: &[(&str, &str)],
) -> anyhow::Result<()> {
    let mut child = Command::new(program)
        .args(args)
        .current_dir(dir)
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("could not start {program}"))?;
    let stderr = child.stderr.take().context("no stderr")?;
    let echo_err = std::thread::spawn(move || {
        let mut lines = Vec::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            eprintln!("{line}");
            lines.push(line);
        }
        lines
    });
    let mut lines = Vec::new();
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            println!("{line}");
            lines.push(line);
        }
    }
    lines.extend(echo_err.join().unwrap_or_default());
    let status = child.wait()?;
    let (passed, failed) = counts(&lines);
    tally.passed += passed;
    tally.failed += failed;
    if !status.success() && failed == 0 {
        tally.errors += 1;
        eprintln!(
            "xtask: `{program} {}` failed ({status}) without reporting a failed test",
            args.join(" ")
        );
    }
    Ok(())
}

/// Reads the totals of cargo-nextest (`27 tests run: 26 passed, 1 failed`), libtest
/// (`test result: ok. 39 passed; 0 failed`) and node's runner (`# pass 1`, `# fail 0`).
/// nextest echoes libtest's lines of failed tests, so where its summary is present it alone
/// counts.
fn counts(lines: &[String]) -> (u64, u64) {
    let number_before = |text: &str, word: &str| -> u64 {
        text.find(word)
            .and_then(|at| {
                text[..at]
                    .trim_end()
                    .rsplit(|c: char| !c.is_ascii_digit())
                    .next()?
                    .parse()
                    .ok()
            })
            .unwrap_or(0)
    };
    let nextest = lines
        .iter()
        .any(|l| l.trim().starts_with("Summary [") && l.contains(" tests run: "));
    let (mut passed, mut failed) = (0, 0);
    for line in lines {
        let l = line.trim();
        let is_summary = if nextest {
            l.starts_with("Summary [") && l.contains(" tests run: ")
        } else {
            l.starts_with("test result: ")
        };
        if is_summary {
            passed += number_before(l, " passed");
            failed += number_before(l, " failed");
        } else if let Some(n) = l.strip_prefix("# pass ") {
            passed += n.trim().parse().unwrap_or(0);
        } else if let Some(n) = l
            .strip_prefix("# fail ")
            .or_else(|| l.strip_prefix("# cancelled "))
        {
            // A test cancelled because its set-up failed did not pass either.
            failed += n.trim().parse().unwrap_or(0);
        }
    }
    (passed, failed)
}

#[cfg(test)]
mod tests {
    use super::counts;

    fn lines(text: &[&str]) -> Vec<String> {
        text.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn reads_nextest_without_counting_the_libtest_lines_it_echoes() {
        let out = lines(&[
            "    test result: FAILED. 0 passed; 1 failed; 0 ignored; 0 measured; 26 filtered out; finished in 0.50s",
            "     Summary [   5.311s] 27 tests run: 26 passed, 1 failed, 0 skipped",
        ]);
        assert_eq!(counts(&out), (26, 1));
    }

    #[test]
    fn reads_libtest_and_node() {
        let out = lines(&[
            "test result: ok. 39 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 1.36s",
            "test result: ok. 2 passed; 1 failed; 0 ignored",
            "# pass 1",
            "# fail 0",
            "# cancelled 1",
        ]);
        assert_eq!(counts(&out), (42, 2));
    }
}
