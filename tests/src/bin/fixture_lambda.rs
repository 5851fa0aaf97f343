//! A Lambda binary for `tests/lambda_emulator.rs`: one step that panics when its input asks it to and otherwise
//! echoes its input, with the id of the process that answered, so the test can tell that a process survived a panic.

use serde::{Deserialize, Serialize};
use std::convert::Infallible;
use std::process::ExitCode;

/// What the step reads: `{"text": "...", "panic": true}`; both fields are optional.
#[derive(Debug, Deserialize)]
pub struct EchoRequest {
    #[serde(default)]
    pub text: String,
    /// Panic instead of answering.
    #[serde(default)]
    pub panic: bool,
}

/// What the step answers.
#[derive(Debug, Serialize)]
pub struct EchoReply {
    /// The request's text.
    pub echo: String,
    /// The id of the process that answered.
    pub pid: u32,
    /// The Lambda request id the runtime gave the invocation.
    pub request_id: String,
}

/// Echoes the request's text, or panics with it when the request says `"panic": true`.
#[stepfn::step]
pub async fn echo(input: EchoRequest, context: stepfn::Context) -> Result<EchoReply, Infallible> {
    if input.panic {
        panic!("the fixture was asked to panic: {}", input.text);
    }
    Ok(EchoReply {
        echo: input.text,
        pid: std::process::id(),
        request_id: context.request_id,
    })
}

stepfn::workflow! {
    /// The emulator test's fixture: one Task state over `echo`.
    pub EmulatorFixture {
        Comment: "stepfn test fixture: echoes, or panics on request",
    }

    echo -> end;
}

fn main() -> ExitCode {
    stepfn::main::<EmulatorFixture>()
}
