//! Reporting a step's panic when the binary is built with `panic = "abort"`.
//!
//! `cargo lambda build --release` builds with `panic = "abort"` by default. Then no panic can be caught and the
//! process ends at once, so the caller would only see Lambda's `Runtime.ExitError`. Under abort, a panic hook
//! first posts the invocation's error, `Stepfn.Panic` with the panic message, to the Runtime API; Lambda then answers
//! the caller with it and starts a fresh process for the next invocation. (With `panic = "unwind"` the entry point
//! catches the panic itself and the same process serves on; this hook is then not installed.)

use crate::error::names;
use crate::invoke::panic_message;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::{Mutex, Once};
use std::time::Duration;

/// The invocation in progress: (request id, state name). Lambda runs one invocation at a time per process.
static CURRENT: Mutex<Option<(String, &'static str)>> = Mutex::new(None);

/// Marks an invocation as in progress until dropped (a no-op unless panics abort).
pub(crate) struct InProgress;

impl InProgress {
    pub(crate) fn start(request_id: &str, state_name: &'static str) -> Self {
        if cfg!(panic = "abort") {
            *CURRENT.lock().unwrap_or_else(|e| e.into_inner()) =
                Some((request_id.to_owned(), state_name));
        }
        InProgress
    }
}

impl Drop for InProgress {
    fn drop(&mut self) {
        if cfg!(panic = "abort") {
            *CURRENT.lock().unwrap_or_else(|e| e.into_inner()) = None;
        }
    }
}

/// Installs the reporting hook, once, when panics abort.
pub(crate) fn install() {
    static INSTALL: Once = Once::new();
    if !cfg!(panic = "abort") {
        return;
    }
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            previous(info);
            let current = CURRENT
                .lock()
                .map(|c| c.clone())
                .unwrap_or_else(|e| e.into_inner().clone());
            if let (Some((request_id, state_name)), Ok(api)) =
                (current, std::env::var("AWS_LAMBDA_RUNTIME_API"))
            {
                let message = format!(
                    "step {state_name} panicked: {}",
                    panic_message(info.payload())
                );
                if let Err(error) = post_error(&api, &request_id, &message) {
                    eprintln!(
                        "stepfn: could not report the panic to the Lambda Runtime API: {error}"
                    );
                }
            }
        }));
    });
}

/// `POST /2018-06-01/runtime/invocation/{id}/error` over plain HTTP/1.1, as the Runtime API is on the local host.
fn post_error(api: &str, request_id: &str, message: &str) -> std::io::Result<()> {
    let api = api.trim_start_matches("http://");
    let (host, base) = api
        .split_once('/')
        .map_or((api, ""), |(host, path)| (host, path));
    let base = if base.is_empty() {
        String::new()
    } else {
        format!("/{}", base.trim_end_matches('/'))
    };
    let body =
        serde_json::json!({ "errorType": names::PANIC, "errorMessage": message }).to_string();
    let request = format!(
        "POST {base}/2018-06-01/runtime/invocation/{request_id}/error HTTP/1.1\r\nHost: {host}\r\n\
         Content-Type: application/json\r\nLambda-Runtime-Function-Error-Type: {}\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        names::PANIC,
        body.len()
    );
    let mut stream = TcpStream::connect(host)?;
    stream.set_read_timeout(Some(Duration::from_secs(2)))?;
    stream.set_write_timeout(Some(Duration::from_secs(2)))?;
    stream.write_all(request.as_bytes())?;
    let mut status = [0u8; 12];
    stream.read_exact(&mut status)?;
    Ok(())
}
