//! A workflow binary's command line outside Lambda (the `local` feature): `run`, with the flags, output and exit
//! statuses of `stepfn run` (`stepfn_engine::run_command`, one clap definition for both), `serve` (the Step
//! Functions API, `stepfn_serve`, with the workflow's machine and steps), and `graph`, `definition`,
//! `placeholders`, `steps`, `template` over the workflow built into the binary.

use crate::local::step_resources;
use crate::Workflow;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use std::process::ExitCode;
use stepfn_engine::run_command::{usage_error, RunArgs};

#[derive(Parser)]
#[command(
    after_help = "Inside AWS Lambda (AWS_LAMBDA_RUNTIME_API set) the binary serves the step named by the function's \
                  handler setting instead."
)]
struct WorkflowCli {
    #[command(subcommand)]
    command: WorkflowCommand,
}

#[derive(Subcommand)]
enum WorkflowCommand {
    /// Run the workflow locally with its real steps; prints `{"status":...,"output"|"error","cause"}` per
    /// execution (exit 0 succeeded, 1 failed, 2 bad usage or input).
    Run(RunArgs),
    /// Print a Mermaid flowchart of the workflow, or (--html) write the console's execution page for it as one
    /// self-contained HTML file, with a recorded history (--history) marking what each state did.
    Graph(stepfn_serve::console::GraphArgs),
    /// Serve the AWS Step Functions API (awsJson1.0) with this workflow's state machine created and its steps
    /// running in process, for AWS SDKs and the AWS CLI pointed at http://127.0.0.1:8083.
    Serve(stepfn_serve::command::ServeArgs),
    /// Print the ASL definition (as written to target/stepfn/<Name>.asl.json); given KEY=ARN pairs, with each
    /// ${KEY} placeholder replaced.
    Definition {
        #[arg(value_name = "KEY=ARN")]
        values: Vec<String>,
    },
    /// List the ARN placeholders of the definition.
    Placeholders,
    /// List the steps (Lambda handlers) of the workflow: function name and state name.
    Steps,
    /// Print the CloudFormation deployment template (as written to target/stepfn/<Name>.template.json).
    Template,
    /// Start the workflow's state machine on AWS Step Functions (the one named like the workflow in the account
    /// and region); prints the execution's ARN. With --watch, streams its events and exits with its status (0
    /// succeeded, 1 failed, timed out or aborted).
    #[cfg(feature = "aws")]
    Start(stepfn_aws::command::StartArgs),
    /// Stream an execution's events as they happen (the trace of local runs), then the graph marking the states
    /// that ran, failed or were caught; exit 0 when it succeeded, 1 when not.
    #[cfg(feature = "aws")]
    Watch(stepfn_aws::command::WatchArgs),
    /// Build the Lambda package (cargo-lambda), upload it to S3, create or update the CloudFormation stack from the
    /// workflow's template, follow its events and print its outputs (exit 0 deployed, 1 the stack failed).
    #[cfg(feature = "deploy")]
    Deploy(stepfn_aws::deploy::DeployArgs),
    /// Delete the workflow's CloudFormation stack, following its events (exit 0 when it is gone).
    #[cfg(feature = "deploy")]
    Destroy(stepfn_aws::deploy::DestroyArgs),
    /// List the recent executions of the workflow's state machine, newest first: name, status, start, duration.
    #[cfg(feature = "aws")]
    Executions {
        /// The state machine, instead of the one named like the workflow
        #[arg(long, value_name = "ARN")]
        state_machine_arn: Option<String>,
        #[command(flatten)]
        args: stepfn_aws::command::ExecutionsArgs,
    },
}

/// Parses the arguments and runs the command; clap's own errors exit 2, `--help` exits 0.
pub(crate) fn main<W: Workflow>() -> ExitCode {
    let command = WorkflowCli::command().name(W::NAME).about(format!(
        "The {} workflow: run it locally, draw it, print what deploying it needs",
        W::NAME
    ));
    let parsed = command
        .try_get_matches()
        .and_then(|matches| WorkflowCli::from_arg_matches(&matches));
    match parsed {
        Ok(cli) => execute::<W>(cli.command),
        Err(error) => {
            let _ = error.print();
            ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2))
        }
    }
}

fn execute<W: Workflow>(command: WorkflowCommand) -> ExitCode {
    match command {
        WorkflowCommand::Run(args) => {
            return match W::machine() {
                Ok(machine) => args.run(&machine, step_resources(&W::handlers())),
                Err(error) => usage_error(format!(
                    "the definition of {} cannot run locally: {error}",
                    W::NAME
                )),
            }
        }
        WorkflowCommand::Serve(args) => {
            let machine = stepfn_serve::Preset {
                name: W::NAME.to_owned(),
                definition: W::DEFINITION.to_owned(),
            };
            return args.run(step_resources(&W::handlers()), vec![machine]);
        }
        #[cfg(feature = "aws")]
        WorkflowCommand::Start(args) => {
            return stepfn_aws::command::run_start(args, W::NAME, W::DEFINITION)
        }
        #[cfg(feature = "deploy")]
        WorkflowCommand::Deploy(args) => {
            return stepfn_aws::deploy::run_deploy(args, W::NAME, W::template())
        }
        #[cfg(feature = "deploy")]
        WorkflowCommand::Destroy(args) => return stepfn_aws::deploy::run_destroy(args),
        #[cfg(feature = "aws")]
        WorkflowCommand::Watch(args) => {
            return stepfn_aws::command::run_watch(args, Some(W::DEFINITION))
        }
        #[cfg(feature = "aws")]
        WorkflowCommand::Executions {
            state_machine_arn,
            args,
        } => {
            let machine = match state_machine_arn {
                Some(arn) => stepfn_aws::command::Machine::Arn(arn),
                None => stepfn_aws::command::Machine::Named(W::NAME),
            };
            return stepfn_aws::command::run_executions(args, machine);
        }
        WorkflowCommand::Graph(args) => match serde_json::from_str(W::DEFINITION) {
            Ok(definition) => {
                if let Err(message) = args.write(&definition) {
                    return usage_error(message);
                }
            }
            Err(error) => return usage_error(format!("the definition is not JSON: {error}")),
        },
        WorkflowCommand::Definition { values } if values.is_empty() => print!("{}", W::DEFINITION),
        WorkflowCommand::Definition { values } => {
            let filled = key_values(&values)
                .and_then(|pairs| W::definition_with(pairs).map_err(|error| error.to_string()));
            match filled {
                Ok(text) => print!("{text}"),
                Err(error) => return usage_error(error),
            }
        }
        WorkflowCommand::Placeholders => W::placeholders().iter().for_each(|key| println!("{key}")),
        WorkflowCommand::Template => match W::template() {
            Ok(template) => print!("{template}"),
            Err(error) => return usage_error(error),
        },
        WorkflowCommand::Steps => {
            for handler in W::handlers() {
                println!("{}\t{}", handler.fn_name, handler.state_name);
            }
        }
    }
    ExitCode::SUCCESS
}

/// `KEY=ARN` arguments as pairs; every argument without `=` is named in the one error.
fn key_values(values: &[String]) -> Result<Vec<(&str, &str)>, String> {
    let malformed: Vec<String> = values
        .iter()
        .filter(|v| !v.contains('='))
        .map(|v| format!("`{v}`"))
        .collect();
    let verb = if malformed.len() == 1 { "is" } else { "are" };
    if !malformed.is_empty() {
        return Err(format!(
            "{} {verb} not KEY=ARN: write each as a placeholder (`placeholders` lists them), `=` and its ARN, as in ShipFunctionArn=arn:aws:lambda:us-east-1:123456789012:function:ship",
            malformed.join(", "),
        ));
    }
    Ok(values.iter().filter_map(|v| v.split_once('=')).collect())
}

#[cfg(test)]
mod tests {
    use super::key_values;

    #[test]
    fn every_argument_without_a_key_is_named() {
        let values: Vec<String> = ["A=arn:x", "arn:y", "B=", "z"].map(String::from).into();
        let error = key_values(&values).unwrap_err();
        assert!(
            error.starts_with("`arn:y`, `z` are not KEY=ARN: "),
            "{error}"
        );
        let pairs = key_values(&values[..1]).unwrap();
        assert_eq!(pairs, [("A", "arn:x")]);
    }
}
