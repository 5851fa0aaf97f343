//! Moving data between states: `ResultPath` placement, the payload size limit, and the path text AWS shows in
//! messages.

use crate::failure::names;
use crate::machine::Io;
use crate::Failure;
use serde_json::Value;

/// The most bytes a state's input or output, or a task's result, may have.
pub const PAYLOAD_LIMIT: usize = 262_144;

/// `$.a.b` as Jayway writes it in messages: `$['a']['b']`.
pub(crate) fn bracketed(path: &str) -> String {
    match stepfn_asl::path::Path::parse(path) {
        Ok(parsed) => {
            let mut text = String::from("$");
            for segment in parsed.segments {
                match segment {
                    stepfn_asl::path::Segment::Field(name) => text.push_str(&format!("['{name}']")),
                    stepfn_asl::path::Segment::Index(i) => text.push_str(&format!("[{i}]")),
                    _ => return path.to_string(),
                }
            }
            text
        }
        Err(_) => path.to_string(),
    }
}

/// Puts `result` into `input` at the reference path `ResultPath`, creating objects on the way.
pub(crate) fn apply_result_path(
    io: &Io,
    input: Value,
    result: Value,
    state: &str,
) -> Result<Value, Failure> {
    let query = match io {
        Io::Whole => return Ok(result),
        Io::Null => return Ok(input),
        Io::Path(query) => query,
    };
    let mut document = input;
    if !query.place(&mut document, result) {
        return Err(Failure::new(
            names::RESULT_PATH_MATCH_FAILURE,
            format!(
                "Unable to apply ResultPath '{}' of state '{state}': the input has no object or array there",
                query.text
            ),
        ));
    }
    Ok(document)
}

/// `States.DataLimitExceeded` when a payload's JSON text is over the limit.
pub(crate) fn size_failure(value: &Value, what: impl FnOnce() -> String) -> Option<Failure> {
    if size_bound(value, 0) <= PAYLOAD_LIMIT {
        return None;
    }
    struct Counter(usize);
    impl std::io::Write for Counter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            if self.0 > PAYLOAD_LIMIT {
                return Err(std::io::Error::other("over the limit"));
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut counter = Counter(0);
    serde_json::to_writer(&mut counter, value).err().map(|_| {
        Failure::new(
            names::DATA_LIMIT_EXCEEDED,
            format!(
                "The size of {} is over the limit of {PAYLOAD_LIMIT} bytes",
                what()
            ),
        )
    })
}

/// An upper bound of the length of a value's JSON text, found without writing it (every string character counted as
/// its longest escape, `\u0000`; every number as 24 bytes), so only payloads near the limit are serialized. Stops
/// counting once past the limit.
fn size_bound(value: &Value, so_far: usize) -> usize {
    if so_far > PAYLOAD_LIMIT {
        return so_far;
    }
    match value {
        Value::Null | Value::Bool(_) => so_far + 5,
        Value::Number(_) => so_far + 24,
        Value::String(text) => so_far + 2 + 6 * text.len(),
        Value::Array(items) => items
            .iter()
            .fold(so_far + 2, |n, item| size_bound(item, n + 1)),
        Value::Object(map) => map.iter().fold(so_far + 2, |n, (key, item)| {
            size_bound(item, n + 4 + 6 * key.len())
        }),
    }
}
