//! Execution history in the shape of AWS's `GetExecutionHistory` (`{"id", "previousEventId", "timestamp", "type",
//! "<type>EventDetails"}`), and a readable trace made from it.

use serde_json::{json, Map, Value};
use std::collections::HashMap;
use stepfn_asl::graph::{Mark, StateMark};

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

    /// An event as `GetExecutionHistory` answers it: from the wire (epoch-second `timestamp`), from the AWS CLI or
    /// an SDK's JSON (RFC 3339 `timestamp`), or from [`Event::to_json`]. `None` for anything without a `type`;
    /// missing ids are 0, and a timestamp that is neither is kept as text (elapsed times then show `?`).
    pub fn from_json(value: &Value) -> Option<Event> {
        let object = value.as_object()?;
        let kind = object.get("type")?.as_str()?.to_owned();
        let number = |key: &str| object.get(key).and_then(Value::as_u64).unwrap_or(0);
        let timestamp = match object.get("timestamp") {
            Some(Value::Number(seconds)) => seconds
                .as_f64()
                .filter(|s| s.is_finite() && s.abs() < 1e13)
                .map(|s| {
                    let millis = (s * 1000.0).round() as i64;
                    stepfn_asl::timestamp::format_millis(
                        millis.div_euclid(1000),
                        (millis.rem_euclid(1000) as u32) * 1_000_000,
                    )
                })
                .unwrap_or_default(),
            // The AWS CLI writes `2026-01-31T09:00:00.123000+00:00`, Python's `str()` a space for the `T`: both
            // become AWS's own form; anything else is kept as it is.
            Some(Value::String(text)) => {
                let iso = match text.as_bytes().get(10) {
                    Some(b' ') => format!("{}T{}", &text[..10], &text[11..]),
                    _ => text.clone(),
                };
                stepfn_asl::timestamp::parse(&iso).map_or_else(
                    || text.clone(),
                    |(seconds, nanos)| stepfn_asl::timestamp::format_millis(seconds, nanos),
                )
            }
            _ => String::new(),
        };
        let details = object
            .iter()
            .find(|(key, _)| key.ends_with("EventDetails"))
            .map(|(_, details)| details.clone());
        Some(Event {
            id: number("id"),
            previous_event_id: number("previousEventId"),
            timestamp,
            kind,
            details,
        })
    }

    /// One line of the readable trace, from this event alone (a [`Tracer`] adds what earlier events tell: the
    /// state of events that do not name it, durations and retries).
    pub fn trace_line(&self) -> String {
        self.trace_line_with(None, &[])
    }

    /// The trace line with the state it belongs to (for events whose details do not name it) and notes
    /// (`took=1.250s`, `retry=1`) after the name.
    fn trace_line_with(&self, state: Option<&str>, notes: &[String]) -> String {
        let details = self.details.as_ref();
        let field = |key: &str| details.and_then(|d| d.get(key)).and_then(Value::as_str);
        let mut line = format!("{:>4}  {:<28}", self.id, self.kind);
        let bare = line.len();
        if let Some(name) = field("name").or(state) {
            line.push_str(&format!(" {name}"));
        }
        if let Some(index) = details.and_then(|d| d.get("index")) {
            line.push_str(&format!(" [{index}]"));
        }
        for note in notes {
            line.push_str(&format!("  {note}"));
        }
        for key in ["input", "output", "error", "cause"] {
            if let Some(value) = field(key) {
                line.push_str(&format!("  {key}={}", shorten(value)));
            }
        }
        if line.len() == bare {
            line.truncate(line.trim_end().len());
        }
        line
    }
}

/// One formatted trace line: the time since the execution started (`+1.250s`, or `?`) and the event's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceLine {
    pub elapsed: String,
    pub text: String,
    /// The state the event belongs to, if any (the one it names, or the one it happened in).
    pub state: Option<String>,
}

impl TraceLine {
    /// The line with its time right-aligned in `width` columns.
    pub fn render(&self, width: usize) -> String {
        format!("{:>width$}  {}", self.elapsed, self.text)
    }
}

/// The state an event belongs to: the `*StateEntered` event that opened it.
#[derive(Debug, Clone)]
struct Entry {
    name: String,
    /// The id of its `*StateEntered` event.
    event: u64,
    /// The state's type, as its entered event names it: `Task`, `Parallel`, `Map`, ...
    kind: String,
    /// The entry of the state around it (a Parallel or Map), which events after this state's exit belong to.
    parent: Option<usize>,
    timestamp: String,
}

/// Per state entry: what happened in it so far.
#[derive(Debug, Default, Clone)]
struct EntryState {
    attempts: u32,
    failed_last: bool,
    exited: bool,
    /// The index of the Map iteration it runs in (the nearest Map around it), if any.
    iteration: Option<u64>,
    input: Option<String>,
    output: Option<String>,
    exited_at: Option<String>,
    /// Each attempt of its task: when it was scheduled, and the failure that ended it, if one did.
    attempt_log: Vec<Attempt>,
    /// The last failure in it (of any attempt, or of the state itself).
    error: Option<String>,
    cause: Option<String>,
    /// A Map's iterations, in the order they started.
    iterations: Vec<Iteration>,
    /// The execution's failure happened here (it was the state the execution was in).
    ended_execution: bool,
    /// The execution ended (or was stopped) while it was open: nothing more happens in it.
    cut: bool,
}

/// One attempt of a state's task (`TaskScheduled`, `LambdaFunctionScheduled`, `ActivityScheduled`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub scheduled: String,
    /// When it succeeded or failed, if it did.
    pub ended: Option<String>,
    pub error: Option<String>,
    pub cause: Option<String>,
}

/// One iteration of a Map state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Iteration {
    pub index: u64,
    pub status: IterationStatus,
    pub started: String,
    pub ended: Option<String>,
}

/// Where a Map iteration is: `MapIterationStarted`, then `...Succeeded`, `...Failed` or `...Aborted`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IterationStatus {
    Running,
    Succeeded,
    Failed,
    Aborted,
}

impl IterationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            IterationStatus::Running => "running",
            IterationStatus::Succeeded => "succeeded",
            IterationStatus::Failed => "failed",
            IterationStatus::Aborted => "aborted",
        }
    }
}

/// What one entry into a state came to, as the console marks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum VisitStatus {
    /// Entered and left normally (after retries, if any).
    Succeeded,
    /// Still in it: the execution is running.
    Running,
    /// Never left because the execution ended elsewhere first: it was stopped, or a sibling branch failed.
    Cancelled,
    /// Failed, and a `Catch` took the error on to another state.
    Caught,
    /// Failed and not caught, or the execution failed or timed out while in it.
    Failed,
}

impl VisitStatus {
    /// The word used in data attributes and labels: `succeeded`, `running`, `cancelled`, `caught`, `failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            VisitStatus::Succeeded => "succeeded",
            VisitStatus::Running => "running",
            VisitStatus::Cancelled => "cancelled",
            VisitStatus::Caught => "caught",
            VisitStatus::Failed => "failed",
        }
    }
}

/// One entry into a state, with everything the history says happened in it: what the execution console shows
/// when a state is selected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visit {
    pub state: String,
    /// The state's type as its entered event names it: `Task`, `Choice`, `Map`, ...
    pub kind: String,
    /// The id of its `*StateEntered` event.
    pub entered_event: u64,
    /// The visit of the Parallel or Map state it runs inside (an index into the visits), if any.
    pub parent: Option<usize>,
    /// The index of the Map iteration it runs in (the nearest Map around it), if any.
    pub iteration: Option<u64>,
    pub entered: String,
    pub exited: Option<String>,
    /// The state's input and output as the history has them (JSON text).
    pub input: Option<String>,
    pub output: Option<String>,
    pub attempts: Vec<Attempt>,
    pub error: Option<String>,
    pub cause: Option<String>,
    pub iterations: Vec<Iteration>,
    pub status: VisitStatus,
}

/// The readable trace, one event at a time: what local runs print (`Outcome::trace`) and what `watch` streams
/// from an execution on AWS, from the same events. It follows each event's `previousEventId` back to the state it
/// belongs to (so parallel branches and Map iterations keep theirs apart), names that state on events that do not
/// (`TaskScheduled`, `TaskFailed`, ...), adds `took=` to a state's exit (the time since it was entered) and
/// `retry=N` to each new attempt of its task, and collects each state's [`Mark`](stepfn_asl::graph::Mark) for the
/// graph drawn at the end ([`Tracer::marks`]).
#[derive(Debug, Default)]
pub struct Tracer {
    start: Option<String>,
    /// Event id → the state entry it belongs to (index into `entries`).
    context: HashMap<u64, usize>,
    entries: Vec<(Entry, EntryState)>,
    /// Event id → the index of the Map iteration the event happened in.
    iteration: HashMap<u64, u64>,
    /// The execution's end: `ExecutionSucceeded`, `ExecutionFailed`, ...
    ended: Option<String>,
}

/// Event types that fail a state's attempt (a retrier may try again, a catcher may take it).
fn is_failure(kind: &str) -> bool {
    matches!(
        kind,
        "TaskFailed"
            | "TaskTimedOut"
            | "TaskStartFailed"
            | "TaskSubmitFailed"
            | "LambdaFunctionFailed"
            | "LambdaFunctionTimedOut"
            | "LambdaFunctionStartFailed"
            | "LambdaFunctionScheduleFailed"
            | "ActivityFailed"
            | "ActivityTimedOut"
            | "ActivityScheduleFailed"
            | "ParallelStateFailed"
            | "MapStateFailed"
            | "MapStateAborted"
            | "ParallelStateAborted"
            | "EvaluationFailed"
    )
}

/// Event types that start an attempt of a state's work.
fn is_attempt(kind: &str) -> bool {
    matches!(
        kind,
        "TaskScheduled" | "LambdaFunctionScheduled" | "ActivityScheduled"
    )
}

impl Tracer {
    pub fn new() -> Tracer {
        Tracer::default()
    }

    /// The trace line of the next event (events in history order).
    pub fn line(&mut self, event: &Event) -> TraceLine {
        let first = self.start.is_none();
        let start = self.start.get_or_insert_with(|| event.timestamp.clone());
        let since_start =
            elapsed(start, &event.timestamp).map_or_else(|| "?".to_owned(), format_elapsed);
        let kind = event.kind.as_str();
        let mut notes = Vec::new();
        // The state the event before this one belongs to, before a Parallel's or Map's own event is given to it.
        let mut culprit = None;
        let entry = if kind.ends_with("StateEntered") {
            let name = event
                .details
                .as_ref()
                .and_then(|d| d.get("name"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let entry = Entry {
                name,
                event: event.id,
                kind: kind.trim_end_matches("StateEntered").to_owned(),
                parent: self.context.get(&event.previous_event_id).copied(),
                timestamp: event.timestamp.clone(),
            };
            let state = EntryState {
                failed_last: kind == "FailStateEntered",
                iteration: self.iteration.get(&event.previous_event_id).copied(),
                input: detail_text(event, "input"),
                ..EntryState::default()
            };
            self.entries.push((entry, state));
            Some(self.entries.len() - 1)
        } else {
            let mut entry = self.context.get(&event.previous_event_id).copied();
            culprit = entry;
            // A Parallel's or Map's own events (`ParallelStateFailed` after a branch's failure, ...) belong to
            // it, not to the state inside whose event came before.
            if let Some(owner) = ["Parallel", "Map"].into_iter().find(|k| {
                kind.starts_with(&format!("{k}State"))
                    || (*k == "Map" && kind.starts_with("MapIteration"))
            }) {
                while let Some(index) = entry {
                    let (candidate, _) = &self.entries[index];
                    if candidate.kind == owner {
                        break;
                    }
                    entry = candidate.parent;
                }
            }
            entry
        };
        let mut state_name = None;
        let mut pending_culprits: Vec<Option<usize>> = Vec::new();
        if let Some(index) = entry {
            let (entry, state) = &mut self.entries[index];
            if kind.starts_with("MapIteration") {
                if let Some(at) = event
                    .details
                    .as_ref()
                    .and_then(|d| d.get("index"))
                    .and_then(Value::as_u64)
                {
                    self.iteration.insert(event.id, at);
                    state.record_iteration(kind, at, &event.timestamp);
                }
            } else if let Some(at) = state.iteration {
                self.iteration.insert(event.id, at);
            }
            if kind.ends_with("StateExited") {
                state.exited = true;
                state.exited_at = Some(event.timestamp.clone());
                state.output = detail_text(event, "output");
                if let Some(took) = elapsed(&entry.timestamp, &event.timestamp) {
                    notes.push(format!("took={}", format_duration(took)));
                }
            } else if is_attempt(kind) {
                state.attempts += 1;
                state.failed_last = false;
                state.attempt_log.push(Attempt {
                    scheduled: event.timestamp.clone(),
                    ended: None,
                    error: None,
                    cause: None,
                });
                if state.attempts > 1 {
                    notes.push(format!("retry={}", state.attempts - 1));
                }
            } else if is_failure(kind) {
                state.failed_last = true;
                state.error = detail_text(event, "error");
                state.cause = detail_text(event, "cause");
                if matches!(kind, "ParallelStateFailed" | "MapStateFailed") {
                    pending_culprits.push(culprit);
                }
                if let Some(attempt) = state.attempt_log.last_mut().filter(|a| a.ended.is_none()) {
                    attempt.ended = Some(event.timestamp.clone());
                    attempt.error.clone_from(&state.error);
                    attempt.cause.clone_from(&state.cause);
                }
            } else if kind.ends_with("Succeeded") {
                state.failed_last = false;
                if let Some(attempt) = state.attempt_log.last_mut().filter(|a| a.ended.is_none()) {
                    attempt.ended = Some(event.timestamp.clone());
                }
            } else if kind == "ExecutionFailed" {
                state.ended_execution = true;
                if state.error.is_none() {
                    state.error = detail_text(event, "error");
                    state.cause = detail_text(event, "cause");
                }
            }
            if kind == "MapIterationFailed" {
                pending_culprits.push(culprit);
            }
            state_name = Some(entry.name.clone());
            // After its exit, the events that follow belong to the state around it (or to none); an execution's
            // own events (its end, a redrive) belong to no state, so what follows them starts afresh.
            if kind.ends_with("StateExited") {
                if let Some(parent) = entry.parent {
                    self.context.insert(event.id, parent);
                }
            } else if !kind.starts_with("Execution") {
                self.context.insert(event.id, index);
            }
        }
        // The state inside a Parallel or Map whose failure failed it (a Fail state, a runtime error in a Choice,
        // a task out of retries): failed, with the error the Parallel or Map reports if it has none of its own.
        if let (Some(owner), Some(inner)) = (entry, pending_culprits.into_iter().flatten().next()) {
            if inner != owner && !self.entries[inner].1.exited {
                self.entries[inner].1.failed_last = true;
            }
            // The error a Parallel or Map fails with is its failed states' (a Fail state's has no event of its own).
            let (error, cause) = (detail_text(event, "error"), detail_text(event, "cause"));
            if error.is_some() {
                for (inside, state) in &mut self.entries {
                    let failed_inside =
                        inside.parent == Some(owner) && !state.exited && state.failed_last;
                    if failed_inside && state.error.is_none() {
                        state.error.clone_from(&error);
                        state.cause.clone_from(&cause);
                    }
                }
            }
        }
        if matches!(
            kind,
            "ExecutionSucceeded" | "ExecutionFailed" | "ExecutionAborted" | "ExecutionTimedOut"
        ) {
            // Whatever was still open is over: a redrive enters its states anew.
            for (_, state) in &mut self.entries {
                state.cut |= !state.exited;
            }
            self.ended = Some(kind.to_owned());
        } else if kind == "ExecutionRedriven" {
            self.ended = None;
        }
        let named = if kind.ends_with("StateEntered") {
            None
        } else {
            state_name.as_deref()
        };
        let mut text = event.trace_line_with(named, &notes);
        if first {
            text.push_str(&format!("  at {}", event.timestamp));
        }
        TraceLine {
            elapsed: since_start,
            text,
            state: state_name,
        }
    }

    /// What each state did so far: the worst of its entries (failed, then caught, running, ran) and its retries
    /// across them. A state left after a failure was caught; one never left after a failure, or still open when
    /// the execution ended in anything but success, is where it failed.
    pub fn marks(&self) -> HashMap<String, StateMark> {
        let mut marks: HashMap<String, StateMark> = HashMap::new();
        for (entry, state) in &self.entries {
            let mark = match (state.exited, state.failed_last, self.ended.as_deref()) {
                (true, true, _) => Mark::Caught,
                (true, false, _) => Mark::Ran,
                (false, true, _) => Mark::Failed,
                (false, false, None) => Mark::Running,
                (false, false, Some("ExecutionSucceeded")) => Mark::Ran,
                (false, false, Some(_)) => Mark::Failed,
            };
            let retries = state.attempts.saturating_sub(1);
            let slot = marks
                .entry(entry.name.clone())
                .or_insert(StateMark { mark, retries: 0 });
            slot.mark = slot.mark.max(mark);
            slot.retries = slot.retries.saturating_add(retries);
        }
        marks
    }
}

impl Tracer {
    /// Every entry into a state so far, in the order they happened, with what the history says about each
    /// (input, output, attempts, error, a Map's iterations) and its [`VisitStatus`]: what the execution console
    /// draws. A state never left is failed if the execution failed in it or it failed with nothing more to come
    /// (a Fail state, the state whose error failed a Parallel or Map, a task out of retries), or a state inside it
    /// did; cancelled if it is over otherwise (the execution ended, was stopped or timed out while it was open, or
    /// the Parallel or Map around it ended first: a sibling branch or iteration failed); running otherwise (a task
    /// waiting out a retry's back-off included). A redrive enters states anew, as new visits.
    pub fn visits(&self) -> Vec<Visit> {
        let count = self.entries.len();
        // Over: nothing more will happen in it: left, cut by the execution's end, a Fail state, or inside a Parallel
        // or Map that is over (entries come after the entry they run inside).
        let mut over = vec![false; count];
        for (index, (entry, state)) in self.entries.iter().enumerate() {
            let parent_over = entry.parent.is_some_and(|parent| over[parent]);
            over[index] = state.exited || state.cut || parent_over || entry.kind == "Fail";
        }
        // Failed: the execution failed in it, or it failed and nothing more came of it (not a task waiting out a
        // retry's back-off); and every Parallel or Map around such a state.
        let mut failed = vec![false; count];
        for (index, (entry, state)) in self.entries.iter().enumerate().rev() {
            if !state.exited && (state.ended_execution || (state.failed_last && over[index])) {
                failed[index] = true;
            }
            if failed[index] {
                if let Some(parent) = entry.parent {
                    failed[parent] = true;
                }
            }
        }
        self.entries
            .iter()
            .enumerate()
            .map(|(index, (entry, state))| {
                let status = match (state.exited, state.failed_last) {
                    (true, true) => VisitStatus::Caught,
                    (true, false) => VisitStatus::Succeeded,
                    (false, _) if failed[index] => VisitStatus::Failed,
                    (false, _) if over[index] => VisitStatus::Cancelled,
                    (false, _) => VisitStatus::Running,
                };
                let mut iterations = state.iterations.clone();
                if over[index] {
                    // An iteration still running when its Map is over was stopped with it.
                    for iteration in &mut iterations {
                        if iteration.status == IterationStatus::Running {
                            iteration.status = IterationStatus::Aborted;
                        }
                    }
                }
                Visit {
                    state: entry.name.clone(),
                    kind: entry.kind.clone(),
                    entered_event: entry.event,
                    parent: entry.parent,
                    iteration: state.iteration,
                    entered: entry.timestamp.clone(),
                    exited: state.exited_at.clone(),
                    input: state.input.clone(),
                    output: state.output.clone(),
                    attempts: state.attempt_log.clone(),
                    error: state.error.clone(),
                    cause: state.cause.clone(),
                    iterations,
                    status,
                }
            })
            .collect()
    }

    /// The execution's end event type (`ExecutionSucceeded`, `ExecutionFailed`, ...), if it has ended.
    pub fn ended(&self) -> Option<&str> {
        self.ended.as_deref()
    }
}

impl EntryState {
    fn record_iteration(&mut self, kind: &str, index: u64, at: &str) {
        let status = match kind {
            "MapIterationSucceeded" => IterationStatus::Succeeded,
            "MapIterationFailed" => IterationStatus::Failed,
            "MapIterationAborted" => IterationStatus::Aborted,
            _ => IterationStatus::Running,
        };
        match self.iterations.iter_mut().rev().find(|i| i.index == index) {
            Some(iteration) if status != IterationStatus::Running => {
                iteration.status = status;
                iteration.ended = Some(at.to_owned());
            }
            _ => self.iterations.push(Iteration {
                index,
                status,
                started: at.to_owned(),
                ended: None,
            }),
        }
    }
}

/// A text field of an event's details (`input`, `output`, `error`, `cause`).
fn detail_text(event: &Event, key: &str) -> Option<String> {
    event
        .details
        .as_ref()
        .and_then(|d| d.get(key))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// A duration without the sign: `0.250s`, `1m05.000s`.
fn format_duration(millis: i64) -> String {
    format_elapsed(millis).trim_start_matches('+').to_owned()
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
