//! `stepfn::main`: the `main` of a workflow binary. Inside Lambda it serves the step the handler setting names.
//! Elsewhere it is the workflow's command line ([`crate::command_line`]) when built with the `local` feature (the
//! default); built without it, as `cargo lambda build` builds a workflow crate, it only serves Lambda.

use crate::lambda::serve_workflow;
use crate::Workflow;
use std::process::ExitCode;

/// Runs workflow `W`'s binary: call it from `fn main() -> ExitCode`.
pub fn main<W: Workflow>() -> ExitCode {
    if std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some() {
        return serve_in_lambda::<W>();
    }
    outside_lambda::<W>()
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

#[cfg(feature = "local")]
fn outside_lambda<W: Workflow>() -> ExitCode {
    crate::command_line::main::<W>()
}

/// A Lambda build has no command line: say so, and how to get one.
#[cfg(not(feature = "local"))]
fn outside_lambda<W: Workflow>() -> ExitCode {
    eprintln!(
        "error: this {} binary was built without stepfn's `local` feature, as `cargo lambda build` builds it: it \
         only serves AWS Lambda, and AWS_LAMBDA_RUNTIME_API is not set. For the command line (run, graph, \
         definition, ...), build it with its default features: `cargo run -p <workflow crate> -- help`.",
        W::NAME
    );
    ExitCode::from(2)
}
