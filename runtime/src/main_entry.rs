//! `stepfn::main`: the `main` of a workflow binary. Inside Lambda it serves the step the handler setting names;
//! on a developer's machine it is a small command line over the workflow.

use crate::lambda::serve_workflow;
use crate::local::{Options, Status};
use crate::Workflow;
use std::process::ExitCode;

const USAGE: &str = "\
commands:
  run [INPUT] [--virtual-time] [--history] [--mock FILE [--test-case NAME]]
                           run the workflow locally with its real steps on INPUT (JSON, or @FILE; default {}):
                           the trace on stderr, then {\"status\":...,\"output\"|\"error\",\"cause\"} on stdout
                           (--history: the events in GetExecutionHistory shape on stdout instead of the trace;
                           --mock: Step Functions Local mocks for tasks that are not steps, e.g. service calls)
  graph                    print a Mermaid flowchart of the workflow
  definition               print the ASL definition (as written to target/stepfn/<Name>.asl.json)
  definition KEY=ARN ...   print it with each ${KEY} placeholder replaced by an ARN
  placeholders             list the ARN placeholders of the definition
  steps                    list the steps (Lambda handlers) of the workflow
Inside AWS Lambda (AWS_LAMBDA_RUNTIME_API set) the binary serves the step named by the function's handler.";

/// Runs workflow `W`'s binary: call it from `fn main() -> ExitCode`.
pub fn main<W: Workflow>() -> ExitCode {
    if std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some() {
        return serve_in_lambda::<W>();
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    command::<W>(&args)
}

fn serve_in_lambda<W: Workflow>() -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("Runtime.Error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve_workflow::<W>()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{error}");
            ExitCode::FAILURE
        }
    }
}

fn command<W: Workflow>(args: &[String]) -> ExitCode {
    match args.first().map(String::as_str) {
        Some("definition") if args.len() == 1 => print!("{}", W::DEFINITION),
        Some("definition") => {
            let mut pairs = Vec::new();
            for arg in &args[1..] {
                let Some(pair) = arg.split_once('=') else {
                    return usage_error(&format!("`{arg}` is not KEY=ARN"));
                };
                pairs.push(pair);
            }
            match W::definition_with(pairs) {
                Ok(text) => print!("{text}"),
                Err(error) => return usage_error(&error.to_string()),
            }
        }
        Some("run") => return run::<W>(&args[1..]),
        Some("graph") => match serde_json::from_str(W::DEFINITION) {
            Ok(definition) => print!("{}", stepfn_asl::graph::mermaid(&definition)),
            Err(error) => return usage_error(&format!("the definition is not JSON: {error}")),
        },
        Some("placeholders") => W::placeholders().iter().for_each(|key| println!("{key}")),
        Some("steps") => {
            for handler in W::handlers() {
                println!("{}\t{}", handler.fn_name, handler.state_name);
            }
        }
        Some("help" | "--help" | "-h") => println!("{} workflow\n{USAGE}", W::NAME),
        Some(other) => return usage_error(&format!("unknown command `{other}`")),
        None => return usage_error("no command given"),
    }
    ExitCode::SUCCESS
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("error: {message}\n{USAGE}");
    ExitCode::from(2)
}

/// `run [INPUT] [--virtual-time] [--history]`: exit 0 when the execution succeeded, 1 when it failed, 2 on bad
/// usage or input.
fn run<W: Workflow>(args: &[String]) -> ExitCode {
    let mut input = None;
    let mut options = Options {
        history: true,
        ..Options::default()
    };
    let mut json_history = false;
    let (mut mock_file, mut test_case) = (None, None);
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--virtual-time" => options.virtual_time = true,
            "--history" => json_history = true,
            "--mock" | "--test-case" => {
                let Some(value) = args.next() else {
                    return usage_error(&format!("`{arg}` needs a value"));
                };
                if arg == "--mock" {
                    mock_file = Some(value.clone());
                } else {
                    test_case = Some(value.clone());
                }
            }
            flag if flag.starts_with("--") => {
                return usage_error(&format!("unknown option `{flag}`"))
            }
            text if input.is_none() => input = Some(text.to_string()),
            extra => return usage_error(&format!("unexpected argument `{extra}`: give one INPUT")),
        }
    }
    let text = match input.as_deref() {
        None => "{}".to_string(),
        Some(file) if file.starts_with('@') => match std::fs::read_to_string(&file[1..]) {
            Ok(text) => text,
            Err(error) => return usage_error(&format!("cannot read {}: {error}", &file[1..])),
        },
        Some(text) => text.to_string(),
    };
    let input = match serde_json::from_str(&text) {
        Ok(input) => input,
        Err(error) => return usage_error(&format!("the input is not JSON: {error}")),
    };
    if let Some(file) = mock_file {
        let text = match std::fs::read_to_string(&file) {
            Ok(text) => text,
            Err(error) => return usage_error(&format!("cannot read {file}: {error}")),
        };
        match mocks_of::<W>(&text, test_case.as_deref()) {
            Ok(mocks) => mocks
                .into_iter()
                .for_each(|(state, mock)| mock.install(&mut options.resources, state)),
            Err(error) => return usage_error(&format!("{file}: {error}")),
        }
    } else if test_case.is_some() {
        return usage_error("`--test-case` needs `--mock FILE`");
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => return usage_error(&format!("cannot start the async runtime: {error}")),
    };
    let outcome = runtime.block_on(W::run_with(input, options));
    if json_history {
        println!("{}", outcome.history_json());
    } else {
        eprint!("{}", outcome.trace());
    }
    println!("{}", outcome.summary());
    if outcome.status == Status::Succeeded {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// The mocks of one test case of a Step Functions Local mock file: the state machine named like the workflow, or
/// the only one in the file.
fn mocks_of<W: Workflow>(
    text: &str,
    test_case: Option<&str>,
) -> Result<std::collections::BTreeMap<String, crate::local::Mock>, String> {
    let config = crate::local::MockConfig::parse(text).map_err(|e| e.to_string())?;
    let mocks = config
        .test_case(Some(W::NAME), test_case)
        .or_else(|_| config.test_case(None, test_case))
        .map_err(|e| e.to_string())?;
    let definition: serde_json::Value =
        serde_json::from_str(W::DEFINITION).map_err(|e| e.to_string())?;
    stepfn_engine::check_mocked_states(mocks.keys().map(String::as_str), &definition)
        .map_err(|e| e.to_string())?;
    Ok(mocks)
}
