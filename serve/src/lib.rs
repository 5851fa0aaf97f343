//! `stepfn serve`: the AWS Step Functions API (the awsJson1.0 protocol that AWS SDKs and the AWS CLI speak) on your
//! own machine. State machines, executions and their histories live in SQLite under the data directory; each
//! execution runs in this process on stepfn's engine, the one that runs local tests.
//!
//! Layers, one concept each: [`protocol`] (HTTP: the `X-Amz-Target` header, JSON in and out, AWS's error shape),
//! [`api`] (the operations, AWS's request and response shapes), [`store`] (SQLite), [`arn`] (names and ARNs as AWS
//! writes and checks them), [`runner`] (executions in flight), [`test_state`] (the TestState operation), [`console`] (the web pages at `/`).

pub mod api;
pub mod arn;
pub mod client;
pub mod command;
pub mod console;
pub mod lambda_endpoint;
pub mod protocol;
pub mod runner;
pub mod store;
pub mod test_state;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

/// How to serve.
#[derive(Debug, Clone)]
pub struct Config {
    /// The address to bind: 127.0.0.1 unless asked otherwise.
    pub bind: IpAddr,
    /// 8083 is Step Functions Local's port; 0 picks a free one.
    pub port: u16,
    /// Where the SQLite database lives.
    pub data_dir: PathBuf,
    /// Wait states and retry back-off take no time.
    pub virtual_time: bool,
    /// What Task states call, beside the clear failure for any other resource: a workflow binary's steps.
    pub resources: stepfn_engine::Resources,
    /// State machines created at start (a workflow binary's own), or given their current definition.
    pub machines: Vec<Preset>,
    /// The text of a Step Functions Local MockConfigFile.
    pub mocks: Option<String>,
    /// How many closed executions (with their histories) are kept; older ones are deleted as new ones end.
    pub retain: usize,
    /// Where Lambda functions that are not served steps are invoked (a Lambda Invoke API, e.g. `cargo lambda watch`).
    pub lambda_endpoint: Option<lambda_endpoint::LambdaEndpoint>,
}

/// Closed executions kept by default.
pub const DEFAULT_RETAIN: usize = 10_000;

/// A state machine the service starts with.
#[derive(Debug, Clone)]
pub struct Preset {
    pub name: String,
    pub definition: String,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 8083,
            data_dir: PathBuf::from(".stepfn"),
            virtual_time: false,
            resources: stepfn_engine::Resources::default(),
            machines: Vec::new(),
            mocks: None,
            retain: DEFAULT_RETAIN,
            lambda_endpoint: None,
        }
    }
}

/// Why the service could not start.
#[derive(Debug)]
pub enum ServeError {
    /// The data directory or its database cannot be opened.
    Store(String),
    /// The address cannot be bound.
    Bind(SocketAddr, std::io::Error),
    Io(std::io::Error),
}

impl std::fmt::Display for ServeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServeError::Store(message) => write!(f, "cannot open the data directory: {message}"),
            ServeError::Bind(address, error) => write!(f, "cannot listen on {address}: {error}"),
            ServeError::Io(error) => write!(f, "the service stopped: {error}"),
        }
    }
}

impl std::error::Error for ServeError {}

/// Serves until the process ends. Prints `stepfn serve: listening on http://ADDRESS` on stdout once bound, so a
/// caller that asked for port 0 learns the port.
pub async fn serve(config: Config) -> Result<(), ServeError> {
    let bound = bind(config).await?;
    println!("stepfn serve: listening on http://{}", bound.address);
    // On stderr: callers read the address from stdout's first line and may close it after.
    eprintln!("stepfn serve: the console is at http://{}/", bound.address);
    bound.serve().await
}

/// A service bound to its address, not yet answering.
pub struct Bound {
    pub address: SocketAddr,
    listener: tokio::net::TcpListener,
    service: Arc<api::Service>,
}

/// Opens the store (failing the executions a stop cut off) and binds the address.
pub async fn bind(config: Config) -> Result<Bound, ServeError> {
    let store = store::Store::open(&config.data_dir).map_err(ServeError::Store)?;
    let interrupted = store.fail_interrupted().map_err(ServeError::Store)?;
    if interrupted > 0 {
        eprintln!("stepfn serve: {interrupted} execution(s) were running when the service stopped: marked FAILED (Stepfn.ServiceStopped); RedriveExecution goes on with each from the state it was in");
    }
    for preset in &config.machines {
        store
            .preset_machine(&preset.name, &preset.definition)
            .map_err(|error| ServeError::Store(error.message))?;
    }
    let service = Arc::new(api::Service::new(
        store,
        config.virtual_time,
        config.resources,
        config.mocks,
        config.retain,
        config.lambda_endpoint,
    ));
    let address = SocketAddr::new(config.bind, config.port);
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .map_err(|error| ServeError::Bind(address, error))?;
    let address = listener.local_addr().map_err(ServeError::Io)?;
    Ok(Bound {
        address,
        listener,
        service,
    })
}

impl Bound {
    /// Answers requests until the process ends.
    pub async fn serve(self) -> Result<(), ServeError> {
        // Without TCP_NODELAY, small answers on a keep-alive connection wait out Nagle's algorithm against the
        // client's delayed ACK (about 40 ms each).
        use axum::serve::ListenerExt;
        let listener = self.listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        axum::serve(listener, protocol::router(self.service))
            .await
            .map_err(ServeError::Io)
    }
}
