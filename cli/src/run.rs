//! `stepfn run`: compile the definition once, then run it on one input or on every line of a JSON Lines file.

use clap::Args;
use serde_json::Value;
use std::io::{BufRead, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use stepfn_engine::{Machine, MockConfig, Options, Resources, Status};

#[derive(Args)]
pub struct RunArgs {
    /// The definition file (`target/stepfn/<Name>.asl.json`, or any ASL JSON file).
    definition: PathBuf,
    /// The execution input: JSON text, or `@FILE` to read it from a file. Default `{}`.
    #[arg(long, conflicts_with = "inputs")]
    input: Option<String>,
    /// Run once per line of this JSON Lines file, printing one result line each.
    #[arg(long, value_name = "FILE.jsonl")]
    inputs: Option<PathBuf>,
    /// Wait states and retry back-off advance a simulated clock instead of sleeping.
    #[arg(long)]
    virtual_time: bool,
    /// Print each execution's history events (GetExecutionHistory shape) as a JSON line before its result.
    #[arg(long)]
    history: bool,
    /// Print a readable trace of each execution to stderr.
    #[arg(long)]
    trace: bool,
    /// Mocked task results: a Step Functions Local mock configuration file (MockConfigFile format).
    #[arg(long, value_name = "FILE")]
    mock: Option<PathBuf>,
    /// The test case of the mock file to use (needed when the state machine has several).
    #[arg(long, requires = "mock")]
    test_case: Option<String>,
    /// The state machine of the mock file to use (needed when the file has several).
    #[arg(long, requires = "mock")]
    state_machine: Option<String>,
    /// Seed for States.UUID, States.MathRandom and retry jitter, so runs repeat.
    #[arg(long)]
    seed: Option<u64>,
}

/// Bad usage, definition or input: exit 2 with the message.
fn usage_error(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

fn read(path: &std::path::Path, what: &str) -> Result<String, String> {
    std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the {what} {}: {e}", path.display()))
}

pub fn run(args: RunArgs) -> ExitCode {
    let machine = match read(&args.definition, "definition").and_then(|text| {
        Machine::from_json(&text).map_err(|e| format!("{}: {e}", args.definition.display()))
    }) {
        Ok(machine) => machine,
        Err(message) => return usage_error(message),
    };
    let name = args
        .definition
        .file_name()
        .and_then(|n| n.to_str())
        .map(|n| n.trim_end_matches(".json").trim_end_matches(".asl"))
        .unwrap_or("StateMachine")
        .to_string();
    let machine = machine.named(name);
    let mut resources = Resources::default();
    if let Some(mock) = &args.mock {
        let mocks = read(mock, "mock file")
            .and_then(|text| {
                MockConfig::parse(&text).map_err(|e| format!("{}: {e}", mock.display()))
            })
            .and_then(|config| {
                config
                    .test_case(args.state_machine.as_deref(), args.test_case.as_deref())
                    .map_err(|e| format!("{}: {e}", mock.display()))
            });
        let mocks = mocks.and_then(|mocks| {
            stepfn_engine::check_mocked_states(
                mocks.keys().map(String::as_str),
                &machine.definition,
            )
            .map(|()| mocks)
            .map_err(|e| format!("{}: {e}", mock.display()))
        });
        match mocks {
            Ok(mocks) => mocks
                .into_iter()
                .for_each(|(state, mock)| mock.install(&mut resources, state)),
            Err(message) => return usage_error(message),
        }
    }
    let options = Options {
        virtual_time: args.virtual_time,
        history: args.history || args.trace,
        resources,
        execution_name: None,
        seed: args.seed,
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => return usage_error(format!("cannot start the async runtime: {e}")),
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let print = |out: &mut BufWriter<_>, outcome: &stepfn_engine::Outcome| {
        if args.trace {
            eprint!("{}", outcome.trace());
        }
        if args.history {
            let _ = writeln!(out, "{}", outcome.history_json());
        }
        let _ = outcome.write_summary(out);
    };
    match &args.inputs {
        None => {
            let text = match args.input.as_deref() {
                None => "{}".to_string(),
                Some(file) if file.starts_with('@') => {
                    match read(std::path::Path::new(&file[1..]), "input file") {
                        Ok(text) => text,
                        Err(message) => return usage_error(message),
                    }
                }
                Some(text) => text.to_string(),
            };
            let input: Value = match serde_json::from_str(&text) {
                Ok(input) => input,
                Err(e) => return usage_error(format!("the input is not JSON: {e}")),
            };
            let outcome = runtime.block_on(machine.run(input, &options));
            print(&mut out, &outcome);
            let _ = out.flush();
            if outcome.status == Status::Succeeded {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Some(path) => {
            let file = match std::fs::File::open(path) {
                Ok(file) => file,
                Err(e) => {
                    return usage_error(format!(
                        "cannot read the inputs file {}: {e}",
                        path.display()
                    ))
                }
            };
            let mut bad_lines = 0usize;
            for (number, line) in std::io::BufReader::new(file).lines().enumerate() {
                let line = match line {
                    Ok(line) => line,
                    Err(e) => {
                        return usage_error(format!(
                            "{}: cannot read line {}: {e}",
                            path.display(),
                            number + 1
                        ))
                    }
                };
                if line.trim().is_empty() {
                    continue;
                }
                match serde_json::from_str::<Value>(&line) {
                    Ok(input) => {
                        let outcome = runtime.block_on(machine.run(input, &options));
                        print(&mut out, &outcome);
                    }
                    Err(e) => {
                        bad_lines += 1;
                        let message = format!("line {} is not JSON: {e}", number + 1);
                        eprintln!("error: {}: {message}", path.display());
                        let _ = writeln!(
                            out,
                            "{}",
                            serde_json::json!({"status": "INVALID_INPUT", "error": "Stepfn.InputNotJson", "cause": message})
                        );
                    }
                }
            }
            let _ = out.flush();
            if bad_lines == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            }
        }
    }
}
