//! The execution's history: each event gets the next id and points at the event before it in its scope (a Parallel
//! branch or Map iteration goes on from the state that started it). Past AWS's limit of events only the execution's
//! last one is kept, and the running scope stops at its next state. Details are built only when history is kept.

use super::{Execution, Frame};
use crate::history::{Event, EVENT_LIMIT};
use serde_json::{Map, Value};

/// The events of one execution so far.
pub(super) struct Events {
    count: u64,
    /// The events themselves, when [`crate::Options::history`] asked for them.
    list: Option<Vec<Event>>,
}

impl Events {
    /// The events after the first `so_far` (none for a new execution); `keep` keeps them, else they are only counted.
    pub fn new(keep: bool, so_far: u64) -> Events {
        Events {
            count: so_far,
            list: keep.then(Vec::new),
        }
    }
}

impl Execution<'_> {
    /// Records an event (building its details only when history is kept) and returns its id.
    /// `kind` is the event type in two pieces (`("Task", "StateEntered")`), joined only when history is kept.
    pub(super) fn event(
        &self,
        frame: &mut Frame,
        kind: (&str, &str),
        details: impl FnOnce() -> Value,
    ) -> u64 {
        if frame.detached {
            return frame.last_event;
        }
        let mut events = self.events.lock().unwrap_or_else(|e| e.into_inner());
        if events.count >= EVENT_LIMIT - 1 && !kind.0.starts_with("Execution") {
            // Past the limit only the execution's last event is kept; the scope stops at its next state.
            return frame.last_event;
        }
        events.count += 1;
        let id = events.count;
        if let Some(list) = &mut events.list {
            let (seconds, nanos) = self.now();
            let details = details();
            list.push(Event {
                id,
                previous_event_id: frame.last_event,
                timestamp: stepfn_asl::timestamp::format_millis(seconds, nanos),
                kind: [kind.0, kind.1].concat(),
                details: (!details.as_object().is_some_and(Map::is_empty) && !details.is_null())
                    .then_some(details),
            });
            if let (Some(sink), Some(event)) = (&self.options.on_event, list.last()) {
                (sink.0)(event);
            }
        }
        frame.last_event = id;
        id
    }

    pub(super) fn history_full(&self) -> bool {
        // Entering and leaving a state takes two events, and the execution's end one more.
        self.events.lock().unwrap_or_else(|e| e.into_inner()).count + 3 > EVENT_LIMIT
    }

    /// The events kept, taken at the execution's end.
    pub(super) fn take_history(&self) -> Vec<Event> {
        self.events
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .list
            .take()
            .unwrap_or_default()
    }
}
