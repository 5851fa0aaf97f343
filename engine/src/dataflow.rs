//! Moving data between states: `ResultPath` placement, the payload size limit, and the path text AWS shows in
//! messages.

use crate::failure::names;
use crate::jsonpath::Select;
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

/// The deepest nesting of arrays and objects a payload may have ([`stepfn_asl::limits::MAX_JSON_DEPTH`]). Checked
/// with the size, so no value deeper than this (plus what one state adds, at most a path's
/// [`stepfn_asl::path::MAX_SEGMENTS`]) is ever walked recursively or dropped.
pub const DEPTH_LIMIT: usize = stepfn_asl::limits::MAX_JSON_DEPTH;

/// `States.DataLimitExceeded` when a payload's JSON text is over the size limit or nests past [`DEPTH_LIMIT`].
pub(crate) fn size_failure(value: &Value, what: impl FnOnce() -> String) -> Option<Failure> {
    match size_bound(value, 0, 0) {
        None => {
            return Some(Failure::new(
                names::DATA_LIMIT_EXCEEDED,
                format!(
                    "{} nests arrays and objects deeper than {DEPTH_LIMIT} levels",
                    capitalized(&what())
                ),
            ))
        }
        Some(bound) if bound <= PAYLOAD_LIMIT => return None,
        Some(_) => {}
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
/// counting once past the limit; `None` when the value nests deeper than [`DEPTH_LIMIT`].
fn size_bound(value: &Value, so_far: usize, depth: usize) -> Option<usize> {
    if so_far > PAYLOAD_LIMIT {
        return Some(so_far);
    }
    Some(match value {
        Value::Null | Value::Bool(_) => so_far + 5,
        Value::Number(_) => so_far + 24,
        Value::String(text) => so_far + 2 + 6 * text.len(),
        _ if depth >= DEPTH_LIMIT => return None,
        Value::Array(items) => items
            .iter()
            .try_fold(so_far + 2, |n, item| size_bound(item, n + 1, depth + 1))?,
        Value::Object(map) => map.iter().try_fold(so_far + 2, |n, (key, item)| {
            size_bound(item, n + 4 + 6 * key.len(), depth + 1)
        })?,
    })
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
