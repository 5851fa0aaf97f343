//! The Wait state's work: how long to wait, from `Seconds`, `Timestamp`, their `...Path` forms or a JSONata
//! expression. A timestamp in the past waits nothing. The work then sleeps on the execution's clock
//! (virtual or real).

use super::{Execution, Frame, StateInfo};
use crate::failure::names;
use crate::machine::Wait;
use crate::template::Resolver;
use crate::Failure;
use serde_json::Value;
use std::time::Duration;

impl Execution<'_> {
    /// How long a Wait state waits from now.
    pub(super) fn wait_for(
        &self,
        wait: &Wait,
        input: &Value,
        frame: &Frame,
        info: &StateInfo<'_>,
    ) -> Result<Duration, Failure> {
        let until = |text: &str| stepfn_asl::timestamp::parse(text);
        let from_now = |(seconds, nanos): (i64, u32)| {
            let target = Duration::new(seconds.max(0) as u64, nanos);
            let (now_s, now_n) = self.now();
            target.saturating_sub(Duration::new(now_s.max(0) as u64, now_n))
        };
        match wait {
            Wait::Jsonata(value, timestamp) => {
                let field = if *timestamp { "Timestamp" } else { "Seconds" };
                let value = self.cx(frame, info).jsonata(value, field, input, None)?;
                let invalid = |what: &str| {
                    Failure::new(
                        names::QUERY_EVALUATION_ERROR,
                        format!(
                            "{}The {field} field {what}: {}",
                            info.preamble(),
                            match &value {
                                Value::String(s) => s.clone(),
                                other => other.to_string(),
                            }
                        ),
                    )
                };
                match (timestamp, &value) {
                    (true, Value::String(text)) => until(text).map(from_now).ok_or_else(|| {
                        invalid("cannot be parsed as an ISO-8601 extended offset date-time format string")
                    }),
                    (false, Value::Number(n)) if n.as_u64().is_some() => Ok(Duration::from_secs(n.as_u64().unwrap_or(0))),
                    (true, _) => Err(invalid("must be a string")),
                    (false, _) => Err(invalid("must be a non-negative integer")),
                }
            }
            Wait::Seconds(seconds) => Ok(Duration::from_secs(*seconds)),
            Wait::Timestamp(text) => Ok(until(text).map(from_now).unwrap_or_default()),
            Wait::SecondsPath(query) => {
                let value = self.resolver(input, frame, info, None).select(query);
                let shown = value
                    .as_ref()
                    .map(Value::to_string)
                    .unwrap_or_else(|| "null".into());
                match value.as_ref().and_then(Value::as_i64) {
                    Some(n) if n >= 0 => Ok(Duration::from_secs(n as u64)),
                    Some(_) => Err(info.error(format!(
                        "The SecondsPath parameter references a negative value: {} == {shown}",
                        query.text
                    ))),
                    None => Err(info.error(format!(
                        "The SecondsPath parameter cannot be parsed as a long value: {} == {shown}",
                        query.text
                    ))),
                }
            }
            Wait::TimestampPath(query) => {
                let value = self.resolver(input, frame, info, None).select(query);
                match value.as_ref().and_then(Value::as_str).and_then(until) {
                    Some(at) => Ok(from_now(at)),
                    None => Err(info.error(format!(
                            "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: {} == {}",
                            query.text,
                            value.as_ref().map(|v| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())).unwrap_or_default()
                        ),
                    )),
                }
            }
        }
    }
}
