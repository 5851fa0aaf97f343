//! Field values a state reads at run time that may be written literally, as a path or as a JSONata expression:
//! numbers (`TimeoutSeconds`, `MaxConcurrency`, batch sizes, with their `...Path` forms) and texts (a Fail state's
//! `Error` and `Cause`, with `ErrorPath` and `CausePath`).

use super::context::StateResolver;
use super::{Execution, Frame, StateInfo};
use crate::failure::names;
use crate::machine::{Seconds, Text};
use crate::template::{self, Resolver};
use crate::Failure;
use serde_json::Value;

impl Execution<'_> {
    /// A Fail state's `Error` or `Cause` (`field`): literal, from `ErrorPath`/`CausePath` (a path or an intrinsic
    /// call), or a JSONata expression; it must be a string.
    pub(super) fn text(
        &self,
        text: &Text,
        field: &str,
        resolver: &StateResolver<'_>,
    ) -> Result<Option<String>, Failure> {
        let info = resolver.info;
        let value = match text {
            Text::None => return Ok(None),
            Text::Literal(s) => return Ok(Some(s.clone())),
            Text::Path(query) => resolver.select(query).ok_or_else(|| {
                info.error(format!(
                    "Invalid path '{}' for {field}Path: no value at it",
                    query.text
                ))
            })?,
            Text::Intrinsic(expr) => template::evaluate_intrinsic(expr, resolver)?,
            Text::Jsonata(value) => {
                let cx = self.cx(resolver.frame, info);
                return match cx.jsonata(value, field, resolver.input, None)? {
                    Value::String(s) => Ok(Some(s)),
                    other => Err(Failure::new(
                        names::QUERY_EVALUATION_ERROR,
                        format!(
                            "{}The {field} must be a string, not {other}",
                            info.preamble()
                        ),
                    )),
                };
            }
        };
        match value {
            Value::String(s) => Ok(Some(s)),
            other => Err(info.error(format!("The {field}Path must select a string, not {other}"))),
        }
    }

    /// A number of seconds from a literal or a path (`MaxConcurrencyPath`, `TimeoutSecondsPath`, ...).
    pub(super) fn seconds(
        &self,
        seconds: &Seconds,
        field: &str,
        input: &Value,
        frame: &Frame,
        info: &StateInfo<'_>,
    ) -> Result<Option<u64>, Failure> {
        match seconds {
            Seconds::None => Ok(None),
            Seconds::Fixed(n) => Ok(Some(*n)),
            Seconds::Jsonata(value) => {
                let value = self.cx(frame, info).jsonata(value, field, input, None)?;
                // Timeouts are positive; counts such as MaxConcurrency may be 0.
                let least = u64::from(field.ends_with("Seconds"));
                value
                    .as_u64()
                    .filter(|n| *n >= least)
                    .map(Some)
                    .ok_or_else(|| {
                        Failure::new(
                            names::QUERY_EVALUATION_ERROR,
                            format!(
                                "{}The {field} field must be a non-negative integer, not {value}",
                                info.preamble()
                            ),
                        )
                    })
            }
            Seconds::Path(query) => {
                let value = self.resolver(input, frame, info, None).select(query);
                let number = match &value {
                    Some(Value::Number(n)) => n.as_u64(),
                    Some(Value::String(s)) => s.trim().parse::<u64>().ok(),
                    _ => None,
                };
                number.map(Some).ok_or_else(|| {
                    let shown = match &value {
                        Some(Value::String(s)) => s.clone(),
                        Some(other) => other.to_string(),
                        None => "null".into(),
                    };
                    info.error(format!("The {field}Path field refers to value \"{shown}\" which is not a valid integer: {}", query.text))
                })
            }
        }
    }
}
