//! The SDK's history events as the engine's [`Event`]s, so an execution on AWS is traced by the very formatter
//! local runs use (`stepfn_engine::history::Tracer`): one trace, whatever ran the execution.

use aws_sdk_sfn::primitives::DateTimeFormat;
use aws_sdk_sfn::types::HistoryEvent;
use serde_json::{Map, Value};
use stepfn_engine::history::Event;

/// One SDK history event as an engine [`Event`], in GetExecutionHistory's shape: the type, ids and timestamp
/// (RFC 3339, UTC), and the details' `name`, `index`, `input`, `output`, `error`, `cause` and `resource` (the
/// fields the trace shows and the marks read; the rest of an event's details are not carried over).
pub fn event_from_sdk(event: &HistoryEvent) -> Event {
    let timestamp = event
        .timestamp()
        .fmt(DateTimeFormat::DateTime)
        .unwrap_or_default();
    Event {
        id: u64::try_from(event.id()).unwrap_or_default(),
        previous_event_id: u64::try_from(event.previous_event_id()).unwrap_or_default(),
        timestamp,
        kind: event.r#type().as_str().to_owned(),
        details: details(event),
    }
}

/// A details field, required (`&str`) or optional (`Option<&str>`) in the SDK's model.
trait Text {
    fn text(self) -> Option<String>;
}

impl Text for &str {
    fn text(self) -> Option<String> {
        Some(self.to_owned())
    }
}

impl Text for Option<&str> {
    fn text(self) -> Option<String> {
        self.map(str::to_owned)
    }
}

/// Reads each `$field` of the details, if the event has them, into `map` under the field's AWS name.
macro_rules! pick {
    ($map:ident, $details:expr, [$($field:ident),*]) => {
        if let Some(details) = $details {
            $(
                if let Some(value) = Text::text(details.$field()) {
                    $map.insert(stringify!($field).to_owned(), Value::String(value));
                }
            )*
        }
    };
}

fn details(event: &HistoryEvent) -> Option<Value> {
    let mut map = Map::new();
    pick!(map, event.state_entered_event_details(), [name, input]);
    pick!(map, event.state_exited_event_details(), [name, output]);
    pick!(map, event.execution_started_event_details(), [input]);
    pick!(map, event.execution_succeeded_event_details(), [output]);
    pick!(map, event.execution_failed_event_details(), [error, cause]);
    pick!(map, event.execution_aborted_event_details(), [error, cause]);
    pick!(
        map,
        event.execution_timed_out_event_details(),
        [error, cause]
    );
    pick!(map, event.task_scheduled_event_details(), [resource]);
    pick!(map, event.task_succeeded_event_details(), [output]);
    pick!(map, event.task_submitted_event_details(), [output]);
    pick!(map, event.task_failed_event_details(), [error, cause]);
    pick!(map, event.task_timed_out_event_details(), [error, cause]);
    pick!(map, event.task_start_failed_event_details(), [error, cause]);
    pick!(
        map,
        event.task_submit_failed_event_details(),
        [error, cause]
    );
    pick!(
        map,
        event.lambda_function_scheduled_event_details(),
        [resource]
    );
    pick!(
        map,
        event.lambda_function_succeeded_event_details(),
        [output]
    );
    pick!(
        map,
        event.lambda_function_failed_event_details(),
        [error, cause]
    );
    pick!(
        map,
        event.lambda_function_timed_out_event_details(),
        [error, cause]
    );
    pick!(
        map,
        event.lambda_function_start_failed_event_details(),
        [error, cause]
    );
    pick!(
        map,
        event.lambda_function_schedule_failed_event_details(),
        [error, cause]
    );
    pick!(map, event.activity_scheduled_event_details(), [resource]);
    pick!(map, event.activity_succeeded_event_details(), [output]);
    pick!(map, event.activity_failed_event_details(), [error, cause]);
    pick!(
        map,
        event.activity_timed_out_event_details(),
        [error, cause]
    );
    pick!(
        map,
        event.activity_schedule_failed_event_details(),
        [error, cause]
    );
    pick!(map, event.map_run_failed_event_details(), [error, cause]);
    pick!(map, event.evaluation_failed_event_details(), [error, cause]);
    for details in [
        event.map_iteration_started_event_details(),
        event.map_iteration_succeeded_event_details(),
        event.map_iteration_failed_event_details(),
        event.map_iteration_aborted_event_details(),
    ]
    .into_iter()
    .flatten()
    {
        if let Some(name) = details.name() {
            map.insert("name".into(), Value::String(name.to_owned()));
        }
        map.insert("index".into(), Value::from(details.index()));
    }
    (!map.is_empty()).then_some(Value::Object(map))
}
