//! `--lambda-endpoint`: Task states whose function is not a served step are invoked at a Lambda Invoke API
//! (`POST /2015-03-31/functions/NAME/invocations`), such as `cargo lambda watch`'s emulator, with hyper's HTTP/1
//! client. What comes back is read as Step Functions reads Lambda's answer: the payload is the task's result (wrapped
//! in `Payload` for `arn:aws:states:::lambda:invoke`); a function error fails the state with the function's
//! `errorType` as the error and its error payload as the cause; the Invoke API's own errors become `Lambda.*` names.

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use serde_json::{json, Value};
use stepfn_engine::{Failure, TaskCall, TaskFuture};

/// Where functions are invoked: `http://HOST:PORT` and an optional path prefix.
#[derive(Debug, Clone)]
pub struct LambdaEndpoint {
    authority: String,
    prefix: String,
}

/// The most a function's answer may hold (Lambda's synchronous response limit is 6 MB).
const MAX_RESPONSE_BYTES: usize = 6 * 1024 * 1024;

impl LambdaEndpoint {
    /// Reads `http://HOST:PORT[/PREFIX]`; https is not spoken (the endpoint is a local emulator).
    pub fn parse(url: &str) -> Result<LambdaEndpoint, String> {
        let rest = url.strip_prefix("http://").ok_or_else(|| {
            format!("--lambda-endpoint `{url}`: write an http:// URL, e.g. http://127.0.0.1:9000 (cargo lambda watch)")
        })?;
        let (authority, prefix) = match rest.find('/') {
            Some(slash) => (&rest[..slash], rest[slash..].trim_end_matches('/')),
            None => (rest, ""),
        };
        let port_ok = authority
            .rsplit_once(':')
            .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok());
        if !port_ok {
            return Err(format!(
                "--lambda-endpoint `{url}`: give the host and the port, e.g. http://127.0.0.1:9000"
            ));
        }
        Ok(LambdaEndpoint {
            authority: authority.to_owned(),
            prefix: prefix.to_owned(),
        })
    }

    /// The task `call` invoked at the endpoint, when its resource is a Lambda function; `None` otherwise.
    pub fn task(&self, call: &TaskCall) -> Option<TaskFuture> {
        let resource = call.resource.split(".waitForTaskToken").next()?;
        if resource == "arn:aws:states:::lambda:invoke" {
            let function = call.input.get("FunctionName")?.as_str()?.to_owned();
            let payload = call.input.get("Payload").cloned().unwrap_or(json!({}));
            let endpoint = self.clone();
            return Some(Box::pin(async move {
                let output = endpoint.invoke(&function, &payload).await?;
                Ok(json!({"ExecutedVersion": "$LATEST", "Payload": output, "StatusCode": 200}))
            }));
        }
        if !resource.starts_with("arn:aws:lambda:") {
            return None;
        }
        let (endpoint, function, input) = (self.clone(), resource.to_owned(), call.input.clone());
        Some(Box::pin(
            async move { endpoint.invoke(&function, &input).await },
        ))
    }

    /// Invokes `function` (a name, or a full or partial ARN with an optional qualifier) with `payload`.
    pub async fn invoke(&self, function: &str, payload: &Value) -> Result<Value, Failure> {
        let (name, qualifier) = function_name(function);
        let mut path = format!(
            "{}/2015-03-31/functions/{}/invocations",
            self.prefix,
            percent_encode(name)
        );
        if let Some(qualifier) = qualifier {
            path.push_str(&format!("?Qualifier={}", percent_encode(qualifier)));
        }
        let (status, function_error, body) =
            self.post(&path, payload.to_string())
                .await
                .map_err(|error| {
                    Failure::new(
                        "Lambda.SdkClientException",
                        format!(
                        "cannot invoke '{function}' at the Lambda endpoint http://{}{}: {error}",
                        self.authority, self.prefix
                    ),
                    )
                })?;
        let text = String::from_utf8_lossy(&body).into_owned();
        let answer: Option<Value> = serde_json::from_slice(&body).ok();
        if function_error
            || status == 500
                && answer
                    .as_ref()
                    .is_some_and(|a| a.get("errorType").is_some())
        {
            // A function error (AWS: 200 with X-Amz-Function-Error; cargo lambda's emulator: 500): the error is
            // the function's errorType, the cause its error payload.
            let error = answer
                .as_ref()
                .and_then(|a| a.get("errorType"))
                .and_then(Value::as_str)
                .unwrap_or("Lambda.Unknown")
                .to_owned();
            return Err(Failure::new(error, text));
        }
        if !(200..300).contains(&status) {
            // The Invoke API's own error: `Lambda.` and its type (AWS's names, e.g. Lambda.ResourceNotFoundException).
            let kind = answer
                .as_ref()
                .and_then(|a| {
                    a.get("__type")
                        .or_else(|| a.get("Type"))
                        .or_else(|| a.get("type"))
                })
                .and_then(Value::as_str)
                .map(|t| t.rsplit(['#', ':']).next().unwrap_or(t).to_owned())
                .filter(|t| !t.is_empty() && t != "User")
                .unwrap_or_else(|| {
                    if status >= 500 {
                        "ServiceException"
                    } else {
                        "Unknown"
                    }
                    .to_owned()
                });
            return Err(Failure::new(
                format!("Lambda.{kind}"),
                format!("the Lambda endpoint answered {status} for '{function}': {text}"),
            ));
        }
        match answer {
            Some(value) => Ok(value),
            None if body.is_empty() => Ok(Value::Null),
            None => Err(Failure::new(
                "Lambda.Unknown",
                format!("'{function}' answered with a payload that is not JSON: {text}"),
            )),
        }
    }

    /// One POST on a connection of its own: (status, whether it is a function error, body).
    async fn post(&self, path: &str, body: String) -> Result<(u16, bool, Bytes), String> {
        let stream = tokio::net::TcpStream::connect(&self.authority)
            .await
            .map_err(|e| e.to_string())?;
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                .await
                .map_err(|e| e.to_string())?;
        tokio::spawn(connection);
        let request = hyper::Request::post(path)
            .header("host", &self.authority)
            .header("content-type", "application/json")
            .header("x-amz-invocation-type", "RequestResponse")
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| e.to_string())?;
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let function_error = response.headers().contains_key("x-amz-function-error");
        let limited = http_body_util::Limited::new(response.into_body(), MAX_RESPONSE_BYTES);
        let body = limited
            .collect()
            .await
            .map_err(|e| format!("reading the answer: {e}"))?
            .to_bytes();
        Ok((status, function_error, body))
    }
}

/// A function's name and qualifier from a name, `NAME:QUALIFIER`, a partial ARN (`ACCOUNT:function:NAME`) or a
/// full ARN (`arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`).
fn function_name(function: &str) -> (&str, Option<&str>) {
    let tail = match function.split_once(":function:") {
        Some((_, tail)) => tail,
        None => function,
    };
    match tail.split_once(':') {
        Some((name, qualifier)) => (name, Some(qualifier)),
        None => (tail, None),
    }
}

/// A path segment (or a query value) with everything but unreserved characters percent-encoded.
pub fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_names_come_from_names_and_arns() {
        assert_eq!(function_name("f"), ("f", None));
        assert_eq!(function_name("f:live"), ("f", Some("live")));
        assert_eq!(
            function_name("arn:aws:lambda:us-east-1:123456789012:function:f:7"),
            ("f", Some("7"))
        );
        assert_eq!(function_name("123456789012:function:f"), ("f", None));
    }

    #[test]
    fn endpoints_are_http_with_a_port() {
        assert!(LambdaEndpoint::parse("http://127.0.0.1:9000").is_ok());
        assert_eq!(
            LambdaEndpoint::parse("http://localhost:9000/lambda/")
                .unwrap()
                .prefix,
            "/lambda"
        );
        assert!(LambdaEndpoint::parse("https://127.0.0.1:9000")
            .unwrap_err()
            .contains("http://"));
        assert!(LambdaEndpoint::parse("http://127.0.0.1")
            .unwrap_err()
            .contains("port"));
        assert!(LambdaEndpoint::parse("127.0.0.1:9000").is_err());
    }
}
