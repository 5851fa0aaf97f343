//! `stepfn`: commands over any ASL definition file.
//!
//! - `stepfn validate FILE...` checks each file with the rules `workflow!` applies at compile time
//!   (`stepfn_asl::model::Definition`, the typed model `run` executes), plus duplicate JSON keys, and warns of what AWS accepts but fails at run
//!   time (`stepfn_asl::lint_document`: variables read before every path assigns them). Each problem is one line,
//!   `FILE:LINE:COLUMN: error: /pointer: message`, as compilers write them, in document order, with knock-on
//!   problems folded into their cause (`stepfn_asl::fold`). Exit status: 0 when every file is valid, 1 when one is
//!   not, 2 when a file cannot be read or is not JSON.
//! - `stepfn run DEF --input JSON|@file` runs the definition locally (`stepfn_engine`) and prints one line,
//!   `{"status":"SUCCEEDED","output":...}` or `{"status":"FAILED","error":...,"cause":...}`; exit 0 succeeded,
//!   1 failed, 2 bad usage, definition or input. `--inputs FILE.jsonl` runs once per line. The flags are
//!   `stepfn_engine::run_command::RunArgs`, shared with the workflow binaries' `run`.
//! - `stepfn graph DEF` prints a Mermaid flowchart of the states.
//! - `stepfn serve` serves the Step Functions API for AWS SDKs and the AWS CLI (`stepfn_serve`).
//! - `stepfn template DEF` prints the definition's CloudFormation deployment template (`stepfn_template`).
//! - `stepfn watch EXECUTION_ARN` streams an execution's events on AWS (or any Step Functions endpoint) in the
//!   trace of local runs, then the graph marking what each state did; exit 0 succeeded, 1 failed, timed out or
//!   aborted, 2 bad usage or unreachable. `stepfn executions STATE_MACHINE_ARN` lists the recent executions
//!   (`stepfn_aws::command`, shared with the workflow binaries).

mod run;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "stepfn",
    version,
    about = "Work with Amazon States Language definitions"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check ASL definition files; list each problem as `FILE:LINE:COLUMN: error: /pointer: message`.
    Validate {
        /// The definition files (`target/stepfn/<Name>.asl.json`, or any ASL JSON file).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Run a definition locally and print `{"status":...,"output"|"error","cause"}` (one line per execution).
    Run(run::RunCommand),
    /// Print a Mermaid flowchart of a definition's states, or (--html) write the console's execution page for it
    /// as one self-contained HTML file, with a recorded history (--history) marking what each state did.
    Graph {
        /// The definition file.
        file: PathBuf,
        #[command(flatten)]
        args: stepfn_serve::console::GraphArgs,
    },
    /// Serve the AWS Step Functions API (awsJson1.0) for AWS SDKs and the AWS CLI, running executions locally.
    Serve(stepfn_serve::command::ServeArgs),
    /// Print the CloudFormation deployment template of a definition: a Lambda function per `${<Key>FunctionArn}`
    /// placeholder (handler `<Key>` in snake case), the state machine, its least-privilege role, logs and tracing.
    Template {
        /// The definition file (`target/stepfn/<Name>.asl.json`, or any ASL JSON file).
        file: PathBuf,
        /// The workflow's name, in descriptions and the log group's name; by default the file's name without
        /// `.asl.json` (or `.json`).
        #[arg(long)]
        name: Option<String>,
    },
    /// Stream an execution's events as they happen (the trace of local runs), then the graph marking the states
    /// that ran, failed or were caught; exit 0 when it succeeded, 1 when not.
    Watch(stepfn_aws::command::WatchArgs),
    /// List a state machine's recent executions, newest first: name, status, start, duration.
    Executions {
        /// The state machine
        #[arg(value_name = "STATE_MACHINE_ARN")]
        state_machine_arn: String,
        #[command(flatten)]
        args: stepfn_aws::command::ExecutionsArgs,
    },
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Validate { files } => validate(&files),
        Command::Run(args) => run::run(args),
        Command::Graph { file, args } => graph(&file, &args),
        Command::Serve(args) => args.run(Default::default(), Vec::new()),
        Command::Watch(args) => stepfn_aws::command::run_watch(args, None),
        Command::Executions {
            state_machine_arn,
            args,
        } => stepfn_aws::command::run_executions(
            args,
            stepfn_aws::command::Machine::Arn(state_machine_arn),
        ),
        Command::Template { file, name } => template(&file, name),
    }
}

/// Prints the deployment template of a definition file (`stepfn_template::cloudformation_for_asl`); exit 2 when the
/// file cannot be read or is not a valid definition.
fn template(file: &std::path::Path, name: Option<String>) -> ExitCode {
    let name = name.unwrap_or_else(|| {
        let file_name = file
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("Workflow");
        let stem = file_name
            .strip_suffix(".asl.json")
            .or_else(|| file_name.strip_suffix(".json"))
            .unwrap_or(file_name);
        stem.to_owned()
    });
    let generated = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read: {e}"))
        .and_then(|text| stepfn_template::cloudformation_for_asl(&name, &text));
    match generated {
        Ok(template) => {
            print!("{template}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("{}: {message}", file.display());
            ExitCode::from(2)
        }
    }
}

fn validate(files: &[PathBuf]) -> ExitCode {
    let mut invalid = false;
    let mut unreadable = false;
    for file in files {
        let name = file.display();
        let text = match std::fs::read_to_string(file) {
            Ok(text) => text,
            Err(error) => {
                eprintln!("{name}: cannot read: {error}");
                unreadable = true;
                continue;
            }
        };
        let (document, mut problems) = match stepfn_asl::parse_document(&text) {
            Ok(parsed) => parsed,
            Err(error) => {
                eprintln!("{name}: not JSON: {error}");
                unreadable = true;
                continue;
            }
        };
        let warnings = stepfn_asl::fold(&document, stepfn_asl::lint_document(&document));
        problems.extend(model_problems(document.clone()));
        let problems = stepfn_asl::fold(&document, problems);
        for line in report(&name.to_string(), &text, "warning", &warnings) {
            println!("{line}");
        }
        if problems.is_empty() {
            println!("{name}: valid");
        } else {
            invalid = true;
            for line in report(&name.to_string(), &text, "error", &problems) {
                println!("{line}");
            }
            println!("{name}: {} problem(s)", problems.len());
        }
    }
    match (unreadable, invalid) {
        (true, _) => ExitCode::from(2),
        (false, true) => ExitCode::from(1),
        (false, false) => ExitCode::SUCCESS,
    }
}

/// `FILE:LINE:COLUMN: error: /pointer: message`, one line per problem, as compilers write them so that editors
/// and terminals can jump to the place.
fn report(file: &str, text: &str, severity: &str, problems: &[stepfn_asl::Problem]) -> Vec<String> {
    let pointers: Vec<&str> = problems.iter().map(|p| p.pointer.as_str()).collect();
    let locations = stepfn_asl::locate::locate(text, &pointers);
    problems
        .iter()
        .zip(locations)
        .map(|(problem, at)| {
            let pointer = if problem.pointer.is_empty() {
                "/"
            } else {
                &problem.pointer
            };
            format!(
                "{file}:{}:{}: {severity}: {pointer}: {}",
                at.line, at.column, problem.message
            )
        })
        .collect()
}

/// Prints the flowchart of a valid definition; an invalid one exits 2 listing its problems (a graph of it would
/// quietly drop the broken edges).
fn graph(file: &std::path::Path, args: &stepfn_serve::console::GraphArgs) -> ExitCode {
    let name = file.display();
    let parsed = std::fs::read_to_string(file)
        .map_err(|e| format!("{name}: cannot read: {e}"))
        .and_then(|text| match stepfn_asl::parse_document(&text) {
            Ok(parsed) => Ok((text, parsed)),
            Err(e) => Err(format!("{name}: not JSON: {e}")),
        });
    let (text, (document, mut problems)) = match parsed {
        Ok(parsed) => parsed,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    problems.extend(model_problems(document.clone()));
    let problems = stepfn_asl::fold(&document, problems);
    if !problems.is_empty() {
        for line in report(&name.to_string(), &text, "error", &problems) {
            eprintln!("{line}");
        }
        eprintln!("{name}: {} problem(s)", problems.len());
        return ExitCode::from(2);
    }
    match args.write(&document) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
    }
}

/// The problems that keep `document` from becoming the typed model `stepfn run` executes (the validator's, and any
/// the model itself finds), so `validate`, `graph` and `run` accept exactly the same definitions.
fn model_problems(document: serde_json::Value) -> Vec<stepfn_asl::Problem> {
    stepfn_asl::model::Definition::from_document(document)
        .err()
        .unwrap_or_default()
}
