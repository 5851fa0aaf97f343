//! Execution history in the shape of AWS's `GetExecutionHistory` (`{"id", "previousEventId", "timestamp", "type",
//! "<type>EventDetails"}`), and a readable trace made from it.

use serde_json::{json, Map, Value};

/// The most events one execution may have; AWS fails an execution that would go past it.
pub const EVENT_LIMIT: u64 = 25_000;

/// One history event.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub id: u64,
    pub previous_event_id: u64,
    /// RFC 3339 with milliseconds, UTC.
    pub timestamp: String,
    /// `ExecutionStarted`, `TaskStateEntered`, `MapIterationStarted`, ...
    pub kind: String,
    /// The details object, without its key (see [`Event::details_key`]).
    pub details: Option<Value>,
}

impl Event {
    /// The key AWS puts the details under: `stateEnteredEventDetails` for every `*StateEntered`, otherwise the type
    /// in lower camel case plus `EventDetails`.
    pub fn details_key(&self) -> String {
        let kind = self.kind.as_str();
        if kind.ends_with("StateEntered") {
            return "stateEnteredEventDetails".into();
        }
        if kind.ends_with("StateExited") {
            return "stateExitedEventDetails".into();
        }
        let mut chars = kind.chars();
        let first = chars
            .next()
            .map(|c| c.to_ascii_lowercase())
            .unwrap_or_default();
        format!("{first}{}EventDetails", chars.as_str())
    }

    /// The event as `GetExecutionHistory` returns it.
    pub fn to_json(&self) -> Value {
        let mut event = Map::new();
        event.insert("timestamp".into(), json!(self.timestamp));
        event.insert("type".into(), json!(self.kind));
        event.insert("id".into(), json!(self.id));
        event.insert("previousEventId".into(), json!(self.previous_event_id));
        if let Some(details) = &self.details {
            event.insert(self.details_key(), details.clone());
        }
        Value::Object(event)
    }

    /// One line of the readable trace.
    pub fn trace_line(&self) -> String {
        let details = self.details.as_ref();
        let field = |key: &str| details.and_then(|d| d.get(key)).and_then(Value::as_str);
        let mut line = format!("{:>4}  {:<28}", self.id, self.kind);
        if let Some(name) = field("name") {
            line.push_str(&format!(" {name}"));
        }
        if let Some(index) = details.and_then(|d| d.get("index")) {
            line.push_str(&format!(" [{index}]"));
        }
        for key in ["input", "output", "error", "cause"] {
            if let Some(value) = field(key) {
                line.push_str(&format!("  {key}={}", shorten(value)));
            }
        }
        line
    }
}

/// The time from timestamp `start` to `at`, in milliseconds, if both are timestamps.
pub fn elapsed(start: &str, at: &str) -> Option<i64> {
    let millis = |text| {
        stepfn_asl::timestamp::parse(text)
            .map(|(seconds, nanos)| seconds.saturating_mul(1000) + i64::from(nanos / 1_000_000))
    };
    Some(millis(at)?.saturating_sub(millis(start)?))
}

/// A duration in milliseconds, compact: `+0.250s`, `+1m05.000s`, `+2h00m00.000s`.
pub fn format_elapsed(millis: i64) -> String {
    let sign = if millis < 0 { "-" } else { "+" };
    let millis = millis.unsigned_abs();
    let (hours, minutes) = (millis / 3_600_000, millis / 60_000 % 60);
    let (seconds, fraction) = (millis / 1000 % 60, millis % 1000);
    match (hours, minutes) {
        (0, 0) => format!("{sign}{seconds}.{fraction:03}s"),
        (0, _) => format!("{sign}{minutes}m{seconds:02}.{fraction:03}s"),
        _ => format!("{sign}{hours}h{minutes:02}m{seconds:02}.{fraction:03}s"),
    }
}

fn shorten(text: &str) -> String {
    const MAX: usize = 120;
    if text.chars().count() <= MAX {
        return text.to_string();
    }
    let cut: String = text.chars().take(MAX).collect();
    format!("{cut}…")
}

/// The payload fields of a details object: `{"input": "<json text>", "inputDetails": {"truncated": false}}`.
pub fn payload(key: &str, value: &Value) -> (String, Value, String, Value) {
    (
        key.to_string(),
        Value::String(value.to_string()),
        format!("{key}Details"),
        json!({ "truncated": false }),
    )
}

/// Details built from pairs, with payload values rendered as AWS does (JSON text plus `...Details`).
pub fn details(name: Option<&str>, payloads: &[(&str, &Value)], extra: &[(&str, Value)]) -> Value {
    let mut map = Map::new();
    if let Some(name) = name {
        map.insert("name".into(), json!(name));
    }
    for (key, value) in payloads {
        let (k, v, dk, dv) = payload(key, value);
        map.insert(k, v);
        map.insert(dk, dv);
    }
    for (key, value) in extra {
        map.insert((*key).to_string(), value.clone());
    }
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elapsed_time_is_compact() {
        assert_eq!(format_elapsed(0), "+0.000s");
        assert_eq!(format_elapsed(1_250), "+1.250s");
        assert_eq!(format_elapsed(65_000), "+1m05.000s");
        assert_eq!(format_elapsed(7_200_001), "+2h00m00.001s");
        assert_eq!(format_elapsed(-5), "-0.005s");
        assert_eq!(
            elapsed("2026-01-31T09:00:00.000Z", "2026-01-31T10:00:01.250Z"),
            Some(3_601_250)
        );
        assert_eq!(elapsed("not a time", "2026-01-31T10:00:01.250Z"), None);
    }
}
