//! stepfn on AWS: start Step Functions executions, wait for them, stop them, watch their events as they happen and
//! list a state machine's recent executions, with the AWS SDK for Rust (`aws-sdk-sfn`, re-exported as [`sdk`]).
//!
//! The same code drives AWS, moto's server and `stepfn serve`: [`connect`] builds the client from the standard
//! credential chain, region, profile and endpoint (`--endpoint-url`, `AWS_ENDPOINT_URL`), with a plain-HTTP client
//! for an `http://` endpoint and rustls (ring) otherwise.
//!
//! Untyped (JSON in, JSON out); the `stepfn` facade's `aws` feature adds the typed layer (`Workflow::start`, an
//! execution's `wait` giving the workflow's output type).

pub mod command;
mod connect;
#[cfg(feature = "deploy")]
pub mod deploy;
mod error;
mod events;
mod execution;
mod watch;

pub use aws_sdk_sfn as sdk;
pub use connect::{connect, Connection};
pub use error::{Error, ExecutionError};
pub use events::event_from_sdk;
pub use execution::{
    list_executions, start, state_machine_arn, Description, Execution, ExecutionSummary, Status,
};
pub use stepfn_engine::history::Event;
pub use watch::{ending, watch, GraphStyle, Watched};
