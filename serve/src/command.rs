//! `serve`'s command line, one clap definition for `stepfn serve` and a workflow binary's `serve`.

use crate::lambda_endpoint::LambdaEndpoint;
use crate::{Config, Preset};
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

/// Serve the AWS Step Functions API (awsJson1.0) for AWS SDKs and the AWS CLI, running executions locally.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// The port (8083 is Step Functions Local's; 0 picks a free one, printed on the first line).
    #[arg(long, default_value_t = 8083)]
    pub port: u16,
    /// The address to bind.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Where state machines, executions and histories are kept (a SQLite database).
    #[arg(long, default_value = ".stepfn")]
    pub data_dir: PathBuf,
    /// Wait states and retry back-off take no time.
    #[arg(long)]
    pub virtual_time: bool,
    /// A Step Functions Local mock file (MockConfigFile): start an execution with `stateMachineArn#TestCase` to run
    /// that test case's mocked Task states.
    #[arg(long, value_name = "FILE")]
    pub mock: Option<PathBuf>,
    /// How many closed executions (with their histories) are kept; older ones are deleted as new ones end.
    #[arg(long, value_name = "N", default_value_t = crate::DEFAULT_RETAIN)]
    pub retain: usize,
    /// Invoke Lambda functions that are not steps of this binary at this Lambda Invoke API (e.g.
    /// http://127.0.0.1:9000, `cargo lambda watch`'s).
    #[arg(long, value_name = "URL")]
    pub lambda_endpoint: Option<String>,
}

impl ServeArgs {
    /// Serves with these Task handlers and preset machines until the process ends; exit 2 when it cannot start.
    pub fn run(self, resources: stepfn_engine::Resources, machines: Vec<Preset>) -> ExitCode {
        let mocks = match &self.mock {
            None => None,
            Some(file) => match std::fs::read_to_string(file) {
                Ok(text) => Some(text),
                Err(error) => {
                    eprintln!(
                        "stepfn serve: cannot read the mock file `{}`: {error}",
                        file.display()
                    );
                    return ExitCode::from(2);
                }
            },
        };
        let lambda_endpoint = match self.lambda_endpoint.as_deref().map(LambdaEndpoint::parse) {
            None => None,
            Some(Ok(endpoint)) => Some(endpoint),
            Some(Err(message)) => {
                eprintln!("stepfn serve: {message}");
                return ExitCode::from(2);
            }
        };
        let config = Config {
            lambda_endpoint,
            mocks,
            retain: self.retain,
            bind: self.bind,
            port: self.port,
            data_dir: self.data_dir,
            virtual_time: self.virtual_time,
            resources,
            machines,
        };
        let runtime = match tokio::runtime::Runtime::new() {
            Ok(runtime) => runtime,
            Err(error) => {
                eprintln!("stepfn serve: cannot start the runtime: {error}");
                return ExitCode::from(2);
            }
        };
        match runtime.block_on(crate::serve(config)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("stepfn serve: {error}");
                ExitCode::from(2)
            }
        }
    }
}
