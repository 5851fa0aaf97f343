//! The command-line side, shared by a workflow binary (`start`, `watch`, `executions`) and `stepfn` (`watch`,
//! `executions`): one clap definition of the flags, and the commands with their exit statuses: 0 the execution
//! succeeded (or the command did its job), 1 it failed, timed out or was aborted, 2 bad usage or the command could
//! not reach what it was asked about (the message says why).

use crate::watch::GraphStyle;
use crate::{
    connect, list_executions, start, state_machine_arn, watch, Connection, Error, Execution,
};
use serde_json::Value;
use std::future::Future;
use std::process::ExitCode;
use stepfn_engine::history::format_elapsed;

/// Where the AWS API is: the standard chain, with these on top.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct ConnectionArgs {
    /// AWS region (else AWS_REGION, or the profile's region)
    #[arg(long)]
    pub region: Option<String>,
    /// Named profile of ~/.aws/config and ~/.aws/credentials (else AWS_PROFILE, or `default`)
    #[arg(long)]
    pub profile: Option<String>,
    /// Step Functions endpoint, e.g. http://127.0.0.1:8083 for `stepfn serve` (else AWS_ENDPOINT_URL_SFN or
    /// AWS_ENDPOINT_URL, else AWS's)
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
}

impl ConnectionArgs {
    pub fn connection(&self) -> Connection {
        Connection {
            region: self.region.clone(),
            profile: self.profile.clone(),
            endpoint_url: self.endpoint_url.clone(),
        }
    }
}

/// How `watch` ends: the graph's form.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct GraphArgs {
    /// End with the graph as Mermaid (a classDef per mark, to paste into an issue) instead of a plain list
    #[arg(long)]
    pub mermaid: bool,
}

impl GraphArgs {
    fn style(&self) -> GraphStyle {
        if self.mermaid {
            GraphStyle::Mermaid
        } else {
            GraphStyle::Outline
        }
    }
}

/// `start`: a workflow binary starts its workflow's state machine on AWS.
#[derive(clap::Args, Debug, Clone)]
pub struct StartArgs {
    /// The input: JSON text, or @FILE to read it from a file (default `{}`)
    #[arg(value_name = "INPUT")]
    pub input: Option<String>,
    /// The execution's name (AWS makes one up without it); the same name and input while it runs returns it
    #[arg(long)]
    pub name: Option<String>,
    /// Stream its events until it ends, then draw the graph; exit with its status
    #[arg(long)]
    pub watch: bool,
    /// The state machine to start, instead of the one named like the workflow (for `stepfn serve`'s mock test
    /// cases: ARN#TestCase)
    #[arg(long, value_name = "ARN")]
    pub state_machine_arn: Option<String>,
    #[command(flatten)]
    pub graph: GraphArgs,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// `watch EXECUTION_ARN`.
#[derive(clap::Args, Debug, Clone)]
pub struct WatchArgs {
    /// The execution to watch
    #[arg(value_name = "EXECUTION_ARN")]
    pub execution_arn: String,
    #[command(flatten)]
    pub graph: GraphArgs,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// `executions`: a state machine's recent executions.
#[derive(clap::Args, Debug, Clone)]
pub struct ExecutionsArgs {
    /// Only executions with this status: RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE
    #[arg(long)]
    pub status: Option<String>,
    /// How many to list, newest first
    #[arg(long, default_value_t = 20)]
    pub max_items: usize,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// Which state machine: by name in the account and region, or by ARN.
#[derive(Debug, Clone)]
pub enum Machine<'a> {
    Named(&'a str),
    Arn(String),
}

/// Runs a command's future on a runtime of its own; exit 2 when none can start.
pub(crate) fn block_on<F: Future<Output = ExitCode>>(future: F) -> ExitCode {
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(future),
        Err(error) => failure(2, format!("cannot start the async runtime: {error}")),
    }
}

/// Prints `error: MESSAGE` and exits with `code`.
pub(crate) fn failure(code: u8, message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(code)
}

/// The exit status of an error: 1 for an execution that did not succeed, 2 for everything else.
fn error_exit(error: Error) -> ExitCode {
    let code = if matches!(error, Error::Failed(_)) {
        1
    } else {
        2
    };
    failure(code, error)
}

/// Reads INPUT: JSON text, `@FILE`, or `{}` when absent.
pub fn read_input(input: Option<&str>) -> Result<Value, String> {
    let text = match input {
        None => return Ok(Value::Object(Default::default())),
        Some(text) => match text.strip_prefix('@') {
            Some(path) => std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read the input file {path}: {e}"))?,
            None => text.to_owned(),
        },
    };
    serde_json::from_str(&text).map_err(|e| format!("the input is not JSON: {e}"))
}

async fn machine_arn(client: &crate::sdk::Client, machine: &Machine<'_>) -> Result<String, Error> {
    match machine {
        Machine::Named(name) => state_machine_arn(client, name).await,
        Machine::Arn(arn) => Ok(arn.clone()),
    }
}

/// `start`: starts the state machine `name` (or `--state-machine-arn`); prints the execution's ARN, and with
/// `--watch` what [`run_watch`] prints. `definition` draws the graph when the service does not tell it.
pub fn run_start(args: StartArgs, name: &str, definition: &str) -> ExitCode {
    let input = match read_input(args.input.as_deref()) {
        Ok(input) => input,
        Err(message) => return failure(2, message),
    };
    block_on(async move {
        let client = match connect(&args.connection.connection()).await {
            Ok(client) => client,
            Err(error) => return error_exit(error),
        };
        let machine = match args.state_machine_arn.clone() {
            Some(arn) => Machine::Arn(arn),
            None => Machine::Named(name),
        };
        let arn = match machine_arn(&client, &machine).await {
            Ok(arn) => arn,
            Err(error) => return error_exit(error),
        };
        let execution = match start(&client, &arn, &input, args.name.as_deref()).await {
            Ok(execution) => execution,
            Err(error) => return error_exit(error),
        };
        println!("{}", execution.arn());
        if !args.watch {
            return ExitCode::SUCCESS;
        }
        watch_to_stdout(&execution, Some(definition), args.graph.style()).await
    })
}

/// `watch EXECUTION_ARN`: streams the events, draws the graph, prints how it ended; exits 0 when it succeeded, 1
/// when it failed, timed out or was aborted.
pub fn run_watch(args: WatchArgs, definition: Option<&str>) -> ExitCode {
    block_on(async move {
        let client = match connect(&args.connection.connection()).await {
            Ok(client) => client,
            Err(error) => return error_exit(error),
        };
        let execution = Execution::new(client, args.execution_arn);
        watch_to_stdout(&execution, definition, args.graph.style()).await
    })
}

async fn watch_to_stdout(
    execution: &Execution,
    definition: Option<&str>,
    graph: GraphStyle,
) -> ExitCode {
    let mut stdout = std::io::stdout();
    match watch(execution, definition, graph, &mut stdout).await {
        Ok(watched) if watched.description.status == crate::Status::Succeeded => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(error) => error_exit(error),
    }
}

/// `executions`: the state machine's executions, newest first, one a line: name, status, start, duration (or
/// `running`), ARN.
pub fn run_executions(args: ExecutionsArgs, machine: Machine<'_>) -> ExitCode {
    block_on(async move {
        let client = match connect(&args.connection.connection()).await {
            Ok(client) => client,
            Err(error) => return error_exit(error),
        };
        let arn = match machine_arn(&client, &machine).await {
            Ok(arn) => arn,
            Err(error) => return error_exit(error),
        };
        let executions =
            match list_executions(&client, &arn, args.status.as_deref(), args.max_items).await {
                Ok(executions) => executions,
                Err(error) => return error_exit(error),
            };
        let width = executions
            .iter()
            .map(|e| e.name.chars().count())
            .max()
            .unwrap_or(4)
            .max(4);
        println!(
            "{:<width$}  {:<15}  {:<24}  {:>12}  EXECUTION ARN",
            "NAME", "STATUS", "STARTED", "DURATION"
        );
        for e in &executions {
            let duration = e.duration_millis.map_or_else(
                || "running".to_owned(),
                |millis| format_elapsed(millis).trim_start_matches('+').to_owned(),
            );
            println!(
                "{:<width$}  {:<15}  {:<24}  {:>12}  {}",
                e.name,
                e.status.as_str(),
                e.start_date,
                duration,
                e.execution_arn
            );
        }
        ExitCode::SUCCESS
    })
}
