//! A minimal blocking awsJson1.0 client over std's TCP, for tests and scripts that drive the service without an
//! AWS SDK (the SDKs themselves are tested in cli/tests/serve_clients.rs).

use serde_json::Value;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// Sends one request (`target` is the `X-Amz-Target` header, if any) and returns the HTTP status and the JSON body
/// (`Null` when the body is not JSON).
pub fn raw(
    address: SocketAddr,
    target: Option<&str>,
    body: &[u8],
) -> std::io::Result<(u16, Value)> {
    let mut stream = TcpStream::connect(address)?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    let target = target
        .map(|t| format!("X-Amz-Target: {t}\r\n"))
        .unwrap_or_default();
    let head = format!(
        "POST / HTTP/1.1\r\nHost: {address}\r\n{target}Content-Type: application/x-amz-json-1.0\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    // A server that refuses a body it will not read (too large) answers and closes before the body is written:
    // read its answer all the same.
    if let Err(error) = stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(body))
    {
        if !matches!(
            error.kind(),
            std::io::ErrorKind::BrokenPipe | std::io::ErrorKind::ConnectionReset
        ) {
            return Err(error);
        }
    }
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer)?;
    let answer = String::from_utf8_lossy(&answer);
    let status: u16 = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    Ok((status, serde_json::from_str(body).unwrap_or(Value::Null)))
}

/// Calls `operation` (`StartExecution`, ...) with `request`.
pub fn call(
    address: SocketAddr,
    operation: &str,
    request: &Value,
) -> std::io::Result<(u16, Value)> {
    raw(
        address,
        Some(&format!("AWSStepFunctions.{operation}")),
        request.to_string().as_bytes(),
    )
}

/// A `serve` process (`stepfn serve` or a workflow binary's) on a free port, for tests: started with
/// `--port 0`, its address read from its first line, killed (SIGKILL) when dropped so no test leaves it running.
pub struct Served {
    child: std::process::Child,
    pub address: SocketAddr,
}

impl Served {
    /// Runs `command` (which must include `serve --port 0`) and waits for its address.
    pub fn start(mut command: std::process::Command) -> std::io::Result<Served> {
        use std::io::BufRead;
        let mut child = command
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| std::io::Error::other("no stdout"))?;
        let mut line = String::new();
        std::io::BufReader::new(stdout).read_line(&mut line)?;
        let address = line
            .trim()
            .strip_prefix("stepfn serve: listening on http://")
            .and_then(|a| a.parse().ok());
        match address {
            Some(address) => Ok(Served { child, address }),
            None => {
                let _ = child.kill();
                let _ = child.wait();
                Err(std::io::Error::other(format!(
                    "serve did not start: {line:?}"
                )))
            }
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
