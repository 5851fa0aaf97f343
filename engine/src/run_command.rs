//! The `run` command line: one clap definition, one output and one set of exit statuses for `stepfn run DEF` and a
//! workflow binary's `run` (through `stepfn::main`), so the two never drift apart. It lives here, behind the
//! engine's `cli` feature, because both callers already depend on the engine and a deployed Lambda depends on
//! neither: clap comes in only with the command lines.
//!
//! Output: with `--trace`, a readable trace of each execution on stderr; with `--history`, each execution's events
//! (`{"events": [...]}`, GetExecutionHistory's shape) as one line on stdout; then one result line per execution,
//! `{"status":"SUCCEEDED","output":...}` or `{"status":"FAILED","error":...,"cause":...}`.

use crate::{
    load_test_case, Machine, MockConfigError, MockItem, Options, Outcome, Resources, Status,
};
use clap::Args;
use serde_json::Value;
use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Exit status: every execution succeeded.
pub const EXIT_SUCCEEDED: u8 = 0;
/// Exit status: an execution failed or timed out.
pub const EXIT_FAILED: u8 = 1;
/// Exit status: bad usage, a definition that cannot run, unusable mocks, or input that is not JSON.
pub const EXIT_USAGE: u8 = 2;

/// The flags of `run`.
#[derive(Args, Debug, Clone, Default)]
pub struct RunArgs {
    /// The execution input: JSON text, or @FILE to read it from a file (the same as --input). Default {}.
    #[arg(value_name = "INPUT", conflicts_with_all = ["input", "inputs"])]
    pub input_arg: Option<String>,
    /// The execution input: JSON text, or @FILE to read it from a file. Default {}.
    #[arg(long, value_name = "JSON|@FILE", conflicts_with = "inputs")]
    pub input: Option<String>,
    /// Run once per line of this JSON Lines file, printing one result line each.
    #[arg(long, value_name = "FILE.jsonl")]
    pub inputs: Option<PathBuf>,
    /// Wait states and retry back-off advance a simulated clock instead of sleeping.
    #[arg(long)]
    pub virtual_time: bool,
    /// Print each execution's history events (GetExecutionHistory shape) as a JSON line before its result.
    #[arg(long)]
    pub history: bool,
    /// Print a readable trace of each execution to stderr.
    #[arg(long)]
    pub trace: bool,
    /// Mocked task results: a Step Functions Local mock configuration file (MockConfigFile format).
    #[arg(long, value_name = "FILE")]
    pub mock: Option<PathBuf>,
    /// The test case of the mock file to use (needed when the state machine has several).
    #[arg(long, requires = "mock")]
    pub test_case: Option<String>,
    /// The state machine of the mock file to use (default: the one named like the workflow or the definition
    /// file, else the file's only one).
    #[arg(long, requires = "mock")]
    pub state_machine: Option<String>,
    /// Seed for States.UUID, States.MathRandom and retry jitter, so runs repeat.
    #[arg(long)]
    pub seed: Option<u64>,
}

/// Bad usage, definition or input: the message on stderr, exit status 2.
pub fn usage_error(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(EXIT_USAGE)
}

fn read(path: &Path, what: &str) -> Result<String, String> {
    std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the {what} {}: {e}", path.display()))
}

/// Which flag picks what a mock error says is missing.
fn flag_for(error: &MockConfigError) -> Option<&'static str> {
    match error {
        MockConfigError::Unnamed {
            item: MockItem::StateMachine,
            ..
        } => Some("--state-machine"),
        MockConfigError::Unnamed {
            item: MockItem::TestCase { .. },
            ..
        } => Some("--test-case"),
        _ => None,
    }
}

impl RunArgs {
    /// Runs `machine` as the flags say, with `resources` (the workflow's steps; none for a bare definition) and the
    /// `--mock` mocks over them, prints the results, and returns the exit status: 0 when every execution
    /// succeeded, 1 when one failed or timed out, 2 on bad usage, unusable mocks or input that is not JSON (with
    /// `--inputs`, a line that is not JSON gets an `INVALID_INPUT` result line, the others still run, and the
    /// status is 2).
    pub fn run(&self, machine: &Machine, mut resources: Resources) -> ExitCode {
        if let Some(path) = &self.mock {
            let mocks = read(path, "mock file").and_then(|text| {
                load_test_case(
                    &text,
                    machine,
                    self.state_machine.as_deref(),
                    self.test_case.as_deref(),
                )
                .map_err(|error| match flag_for(&error) {
                    Some(flag) => format!("{}: {error} (with {flag})", path.display()),
                    None => format!("{}: {error}", path.display()),
                })
            });
            match mocks {
                Ok(mocks) => mocks
                    .into_iter()
                    .for_each(|(state, mock)| mock.install(&mut resources, state)),
                Err(message) => return usage_error(message),
            }
        }
        let options = Options {
            virtual_time: self.virtual_time,
            history: self.history || self.trace,
            resources,
            execution_name: None,
            seed: self.seed,
            ..Options::default()
        };
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime,
            Err(e) => return usage_error(format!("cannot start the async runtime: {e}")),
        };
        let mut out = BufWriter::new(std::io::stdout().lock());
        let mut run = |input: Value, out: &mut BufWriter<_>| {
            let outcome = runtime.block_on(machine.run(input, &options));
            self.print(&outcome, out);
            outcome.status == Status::Succeeded
        };
        let status = match &self.inputs {
            None => match self.single_input() {
                Ok(input) => {
                    if run(input, &mut out) {
                        EXIT_SUCCEEDED
                    } else {
                        EXIT_FAILED
                    }
                }
                Err(message) => return usage_error(message),
            },
            Some(path) => match self.each_line(path, &mut out, &mut run) {
                Ok(status) => status,
                Err(message) => {
                    let _ = out.flush();
                    return usage_error(message);
                }
            },
        };
        let _ = out.flush();
        ExitCode::from(status)
    }

    /// The one input: `INPUT` or `--input`, JSON text or `@FILE`; `{}` when not given.
    fn single_input(&self) -> Result<Value, String> {
        let text = match self.input_arg.as_deref().or(self.input.as_deref()) {
            None => return Ok(Value::Object(Default::default())),
            Some(file) if file.starts_with('@') => read(Path::new(&file[1..]), "input file")?,
            Some(text) => text.to_string(),
        };
        stepfn_asl::json_text::from_str(&text).map_err(|e| format!("the input is not JSON: {e}"))
    }

    /// Runs every line of a JSON Lines file; the exit status, or why the file cannot be read.
    fn each_line<W: Write>(
        &self,
        path: &Path,
        out: &mut W,
        run: &mut impl FnMut(Value, &mut W) -> bool,
    ) -> Result<u8, String> {
        let file = std::fs::File::open(path)
            .map_err(|e| format!("cannot read the inputs file {}: {e}", path.display()))?;
        let (mut bad_lines, mut failed) = (0usize, 0usize);
        for (number, line) in std::io::BufReader::new(file).lines().enumerate() {
            let line = line
                .map_err(|e| format!("{}: cannot read line {}: {e}", path.display(), number + 1))?;
            if line.trim().is_empty() {
                continue;
            }
            match stepfn_asl::json_text::from_str::<Value>(&line) {
                Ok(input) => failed += usize::from(!run(input, out)),
                Err(e) => {
                    bad_lines += 1;
                    let message = format!("line {} is not JSON: {e}", number + 1);
                    eprintln!("error: {}: {message}", path.display());
                    let result = serde_json::json!({"status": "INVALID_INPUT", "error": "Stepfn.InputNotJson", "cause": message});
                    let _ = writeln!(out, "{result}");
                }
            }
        }
        Ok(match (bad_lines, failed) {
            (0, 0) => EXIT_SUCCEEDED,
            (0, _) => EXIT_FAILED,
            _ => EXIT_USAGE,
        })
    }

    /// The trace (stderr), the history line and the result line of one execution.
    fn print(&self, outcome: &Outcome, out: &mut impl Write) {
        if self.trace {
            eprint!("{}", outcome.trace());
        }
        if self.history {
            let _ = writeln!(out, "{}", outcome.history_json());
        }
        let _ = outcome.write_summary(out);
    }
}
