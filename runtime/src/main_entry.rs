//! `stepfn::main`: the `main` of a workflow binary. Inside Lambda it serves the step the handler setting names;
//! on a developer's machine it is a small command line over the workflow.

use crate::lambda::serve_workflow;
use crate::local::{Options, Status};
use crate::Workflow;
use std::process::ExitCode;

const USAGE: &str = "\
commands:
  run [INPUT] [--virtual-time] [--history]
                           run the workflow locally with its real steps on INPUT (JSON, or @FILE; default {}):
                           print the trace, then {\"status\":...,\"output\"|\"error\",\"cause\"}
                           (--history: the events in GetExecutionHistory shape instead of the trace)
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
    for arg in args {
        match arg.as_str() {
            "--virtual-time" => options.virtual_time = true,
            "--history" => json_history = true,
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
        print!("{}", outcome.trace());
    }
    println!("{}", outcome.summary());
    if outcome.status == Status::Succeeded {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
