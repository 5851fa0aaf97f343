//! Moving data between states: `ResultPath` placement, the payload size limit, and the path text AWS shows in
//! messages.

use crate::failure::names;
use crate::machine::Io;
use crate::Failure;
use serde_json::{json, Value};

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
    let path =
        stepfn_asl::path::Path::parse(&query.text).map_err(|e| Failure::runtime(e.message))?;
    let mut document = input;
    let mut node = &mut document;
    let mismatch = || {
        Failure::new(
            names::RESULT_PATH_MATCH_FAILURE,
            format!("Unable to apply ResultPath '{}' of state '{state}': the input has no object or array there", query.text),
        )
    };
    for segment in &path.segments {
        node = match segment {
            stepfn_asl::path::Segment::Field(name) => {
                let Value::Object(map) = node else {
                    return Err(mismatch());
                };
                map.entry(name.clone()).or_insert_with(|| json!({}))
            }
            stepfn_asl::path::Segment::Index(i) => {
                let Value::Array(items) = node else {
                    return Err(mismatch());
                };
                let at = if *i < 0 { items.len() as i64 + i } else { *i };
                let Some(slot) = usize::try_from(at).ok().and_then(|at| items.get_mut(at)) else {
                    return Err(mismatch());
                };
                slot
            }
            _ => return Err(mismatch()),
        };
    }
    *node = result;
    Ok(document)
}

/// `States.DataLimitExceeded` when a payload's JSON text is over the limit.
pub(crate) fn size_failure(value: &Value, what: &str) -> Option<Failure> {
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
            format!("The size of {what} is over the limit of {PAYLOAD_LIMIT} bytes"),
        )
    })
}
