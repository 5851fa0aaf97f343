//! The console: the executions of `stepfn serve` drawn the way the Step Functions console draws them, at
//! `http://127.0.0.1:PORT/` beside the API, and the same execution page as one self-contained HTML file
//! (`graph --html`) for a definition alone or with a recorded history (from `run --history` or AWS).
//!
//! The pages are one script, `console/app.js`, with no build step. The server's part is the data: for an execution,
//! its definition's states and transitions ([`stepfn_asl::graph::layout_data`]) and its history read into visits
//! (every entry into a state with its input, output, attempts, error and status, from the engine's history
//! [`Tracer`], the same reading `watch` marks its graph with), so the page only draws. Actions and lists go through
//! the API itself (StartExecution, StopExecution, RedriveExecution, ListExecutions), as the AWS console's do.
//!
//! The graph is laid out by ELK (elkjs 0.12.1, Eclipse Layout Kernel, EPL-2.0, vendored in `console/vendor/`),
//! whose layered algorithm lays out nested compound nodes (a Parallel's branches, a Map's item processor, inside
//! each other) as one drawing; everything is compiled into the binary, so the console works with no network.

use crate::api::{ApiError, Service};
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use stepfn_engine::history::{Event, Tracer, Visit};

const SHELL: &str = include_str!("../console/index.html");
const SCRIPT: &str = include_str!("../console/app.js");
const STYLE: &str = include_str!("../console/app.css");
const ELK: &str = include_str!("../console/vendor/elk.bundled.js");

/// The most history events drawn: AWS's own limit per execution.
const MAX_EVENTS: usize = stepfn_engine::history::EVENT_LIMIT as usize;

/// The console's routes but `GET /` ([`page`], beside the API's `POST /`): the pages, their assets, and the
/// reads the API does not answer in one call (state machines with counts by status, a machine's or an execution's
/// view).
pub fn routes() -> Router<Arc<Service>> {
    Router::new()
        .route("/state-machines/{*arn}", get(page))
        .route("/executions/{*arn}", get(page))
        .route("/console/app.js", get(|| asset(SCRIPT, "text/javascript")))
        .route("/console/app.css", get(|| asset(STYLE, "text/css")))
        .route("/console/elk.js", get(|| asset(ELK, "text/javascript")))
        .route("/console/api/machines", get(machines))
        .route("/console/api/execution", get(execution))
        .route("/console/api/machine", get(machine))
}

/// A page of the console: the shell, which the script fills in from the address it is at.
pub async fn page() -> Response {
    let html = fill(
        r#"<link rel="stylesheet" href="/console/app.css"><script src="/console/elk.js"></script>"#,
        "",
        r#"<script src="/console/app.js"></script>"#,
    );
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        html,
    )
        .into_response()
}

/// The shell with its three slots filled (each marker replaced once, in the shell only: the inserted text may
/// contain anything).
fn fill(head: &str, data: &str, script: &str) -> String {
    let mut html = String::with_capacity(SHELL.len() + head.len() + data.len() + script.len());
    let mut rest = SHELL;
    for (marker, text) in [
        ("<!--head-->", head),
        ("<!--data-->", data),
        ("<!--script-->", script),
    ] {
        let (before, after) = rest.split_once(marker).unwrap_or((rest, ""));
        html.push_str(before);
        html.push_str(text);
        rest = after;
    }
    html.push_str(rest);
    html
}

async fn asset(body: &'static str, kind: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

/// Every state machine with its executions counted by status.
async fn machines(State(service): State<Arc<Service>>) -> Response {
    let answer = async {
        let listed = all_pages(&service, "ListStateMachines", json!({}), "stateMachines").await?;
        let mut machines = Vec::new();
        for machine in listed {
            let request = json!({"stateMachineArn": machine["stateMachineArn"]});
            let executions = all_pages(&service, "ListExecutions", request, "executions").await?;
            let mut counts: BTreeMap<String, u64> = BTreeMap::new();
            for execution in &executions {
                if let Some(status) = execution["status"].as_str() {
                    *counts.entry(status.to_owned()).or_default() += 1;
                }
            }
            let mut machine = machine;
            machine["executionCounts"] = json!(counts);
            machines.push(machine);
        }
        Ok::<_, ApiError>(json!({"stateMachines": machines}))
    };
    reply(answer.await)
}

/// A state machine: DescribeStateMachine plus its graph.
async fn machine(
    State(service): State<Arc<Service>>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let answer = async {
        let arn = arn_of(&query)?;
        let machine = service
            .call("DescribeStateMachine", &json!({"stateMachineArn": arn}))
            .await?;
        let definition = definition_of(&machine)?;
        // The mock file's test cases for this machine, for the start form (`ARN#TestCase`, as Step Functions Local).
        let test_cases = service
            .mocks
            .as_deref()
            .and_then(|text| stepfn_engine::mock::MockConfig::parse(text).ok())
            .map(|config| config.test_case_names(machine["name"].as_str().unwrap_or_default()))
            .unwrap_or_default();
        Ok(json!({
            "machine": machine,
            "testCases": test_cases,
            "view": view(&definition, &[], None),
        }))
    };
    reply(answer.await)
}

/// An execution: DescribeExecution, its state machine's definition, and its history read into visits, with a
/// `signature` of where it stands. Given back as `?unless=SIGNATURE` by a page polling a running execution, an
/// execution that has not moved answers `{"unchanged": true}` after two small reads, whatever its history's size.
async fn execution(
    State(service): State<Arc<Service>>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let answer = async {
        let arn = arn_of(&query)?;
        let request = json!({"executionArn": arn});
        let described = service.call("DescribeExecution", &request).await?;
        if let Some(known) = query.get("unless") {
            // Event ids run from 1 without gaps; before the engine's first event is stored, GetExecutionHistory
            // answers one `ExecutionStarted`.
            let last_id = service.store.event_count(arn)?.max(1);
            if signature(&described, last_id) == *known {
                return Ok(json!({"unchanged": true}));
            }
        }
        let machine = service
            .call("DescribeStateMachineForExecution", &request)
            .await?;
        let definition = definition_of(&machine)?;
        let events = all_pages(&service, "GetExecutionHistory", request, "events").await?;
        let last_id = events.last().and_then(|e| e["id"].as_u64()).unwrap_or(0);
        let mut answer = view(&definition, &events, Some(&described));
        answer["signature"] = json!(signature(&described, last_id));
        Ok(answer)
    };
    reply(answer.await)
}

/// Where an execution stands, for a poll to tell whether anything happened: its last event, status and redrives.
fn signature(described: &Value, last_event: u64) -> String {
    let field = |key: &str| match &described[key] {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    format!(
        "{last_event}|{}|{}|{}",
        field("status"),
        field("redriveCount"),
        field("redriveStatus")
    )
}

/// Every item of a paged list operation.
async fn all_pages(
    service: &Arc<Service>,
    operation: &str,
    mut request: Value,
    key: &str,
) -> Result<Vec<Value>, ApiError> {
    let mut items = Vec::new();
    request["maxResults"] = json!(1000);
    loop {
        let mut answer = service.call(operation, &request).await?;
        if let Some(Value::Array(page)) = answer.get_mut(key).map(Value::take) {
            items.extend(page);
        }
        match answer.get("nextToken").and_then(Value::as_str) {
            Some(token) if items.len() < MAX_EVENTS => request["nextToken"] = json!(token),
            _ => return Ok(items),
        }
    }
}

/// The `arn` of a console read's query (`?arn=...`).
fn arn_of(query: &HashMap<String, String>) -> Result<&String, ApiError> {
    query
        .get("arn")
        .ok_or_else(|| ApiError::validation("the query needs `arn`"))
}

fn definition_of(machine: &Value) -> Result<Value, ApiError> {
    let text = machine["definition"].as_str().unwrap_or("{}");
    stepfn_asl::json_text::from_str(text)
        .map_err(|error| ApiError::internal(format!("the stored definition is not JSON: {error}")))
}

fn reply(answer: Result<Value, ApiError>) -> Response {
    match answer {
        Ok(value) => (
            [
                (header::CONTENT_TYPE, "application/json"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            value.to_string(),
        )
            .into_response(),
        Err(error) => (
            StatusCode::from_u16(error.status).unwrap_or(StatusCode::BAD_REQUEST),
            [(header::CONTENT_TYPE, "application/json")],
            json!({"__type": error.kind, "message": error.message}).to_string(),
        )
            .into_response(),
    }
}

/// What the execution page draws: the definition's graph, and with a history, every visit of a state and every
/// event (with its elapsed time and the state it belongs to). `execution` is DescribeExecution's answer, when there
/// is one; without it the execution's status is read from the history's end.
pub fn view(definition: &Value, events: &[Value], execution: Option<&Value>) -> Value {
    let mut tracer = Tracer::new();
    let mut rows = Vec::new();
    let mut ends: Option<(Event, Event)> = None;
    for raw in events.iter().take(MAX_EVENTS) {
        let Some(event) = Event::from_json(raw) else {
            continue;
        };
        let line = tracer.line(&event);
        let mut row = event.to_json();
        row["elapsed"] = json!(line.elapsed);
        row["state"] = json!(line.state);
        rows.push(row);
        match &mut ends {
            Some((_, last)) => *last = event,
            None => ends = Some((event.clone(), event)),
        }
    }
    let visits: Vec<Value> = tracer.visits().iter().map(visit_json).collect();
    let execution = match (execution, &ends) {
        (Some(described), _) => described.clone(),
        (None, Some((first, last))) => execution_from_history(&tracer, first, last),
        (None, None) => Value::Null,
    };
    json!({
        "graph": stepfn_asl::graph::layout_data(definition),
        "definition": definition,
        "execution": execution,
        "visits": visits,
        "events": rows,
    })
}

/// DescribeExecution's main fields, as far as a history alone tells them (from its first and last events).
fn execution_from_history(tracer: &Tracer, first: &Event, last: &Event) -> Value {
    let status = match tracer.ended() {
        Some("ExecutionSucceeded") => "SUCCEEDED",
        Some("ExecutionFailed") => "FAILED",
        Some("ExecutionTimedOut") => "TIMED_OUT",
        Some("ExecutionAborted") => "ABORTED",
        _ => "RUNNING",
    };
    let detail = |event: &Event, key: &str| {
        event
            .details
            .as_ref()
            .and_then(|d| d.get(key))
            .cloned()
            .unwrap_or(Value::Null)
    };
    json!({
        "status": status,
        "startDate": first.timestamp,
        "stopDate": if status == "RUNNING" { Value::Null } else { json!(last.timestamp) },
        "input": detail(first, "input"),
        "output": if status == "SUCCEEDED" { detail(last, "output") } else { Value::Null },
        "error": detail(last, "error"),
        "cause": detail(last, "cause"),
        "fromHistory": true,
    })
}

fn visit_json(visit: &Visit) -> Value {
    json!({
        "state": visit.state,
        "type": visit.kind,
        "enteredEvent": visit.entered_event,
        "parent": visit.parent,
        "iteration": visit.iteration,
        "entered": visit.entered,
        "exited": visit.exited,
        "durationMs": visit.exited.as_deref().and_then(|at| stepfn_engine::history::elapsed(&visit.entered, at)),
        "input": visit.input,
        "output": visit.output,
        "attempts": visit.attempts.iter().map(|a| json!({
            "scheduled": a.scheduled, "ended": a.ended, "error": a.error, "cause": a.cause,
        })).collect::<Vec<_>>(),
        "error": visit.error,
        "cause": visit.cause,
        "iterations": visit.iterations.iter().map(|i| json!({
            "index": i.index, "status": i.status.as_str(), "started": i.started, "ended": i.ended,
        })).collect::<Vec<_>>(),
        "status": visit.status.as_str(),
    })
}

/// The execution page as one HTML file with everything in it (styles, ELK, the script, the data): it opens from
/// disk, offline, and can be shared.
pub fn html_file(view: &Value) -> String {
    // `</script` would end the element early and `<!--` changes how the HTML parser reads it; `<` only occurs
    // inside JSON strings, where `\u003c` is the same character.
    let data = view.to_string().replace('<', "\\u003c");
    fill(
        &format!(
            "<style>{STYLE}</style><script>{}</script>",
            ELK.replace("</script", "<\\/script")
        ),
        &format!(r#"<script type="application/json" id="stepfn-data">{data}</script>"#),
        &format!(
            "<script>{}</script>",
            SCRIPT.replace("</script", "<\\/script")
        ),
    )
}

/// The flags `graph` takes in `stepfn graph` and a workflow binary's `graph`.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct GraphArgs {
    /// Write the console's execution page as one self-contained HTML file (no network needed to open it) instead
    /// of the Mermaid flowchart.
    #[arg(long)]
    pub html: bool,
    /// With --html: an execution's history to mark the graph with: a GetExecutionHistory response saved from AWS
    /// (`aws stepfunctions get-execution-history ... > history.json`) or the `{"events": [...]}` line of
    /// `run --history`.
    #[arg(long, value_name = "FILE", requires = "html")]
    pub history: Option<std::path::PathBuf>,
    /// Where to write the graph; standard output by default.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
}

impl GraphArgs {
    /// Writes the graph of `definition` (a valid definition): the HTML page or the Mermaid flowchart. The error is
    /// a message for the user (an unreadable or malformed history, an unwritable output).
    pub fn write(&self, definition: &Value) -> Result<(), String> {
        let text = if self.html {
            let events = match &self.history {
                Some(path) => {
                    let text = std::fs::read_to_string(path)
                        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
                    history_events(&text).map_err(|e| format!("{}: {e}", path.display()))?
                }
                None => Vec::new(),
            };
            let mut view = view(definition, &events, None);
            let name = self
                .history
                .as_deref()
                .and_then(|p| p.file_stem())
                .map(|s| s.to_string_lossy());
            if let (Some(execution), Some(name)) = (view["execution"].as_object_mut(), name) {
                execution.insert("name".into(), json!(name));
            }
            html_file(&view)
        } else {
            stepfn_asl::graph::mermaid(definition)
        };
        match &self.output {
            Some(path) => std::fs::write(path, text)
                .map_err(|e| format!("{}: cannot write: {e}", path.display())),
            None => {
                use std::io::Write;
                std::io::stdout()
                    .write_all(text.as_bytes())
                    .map_err(|e| format!("cannot write the graph: {e}"))
            }
        }
    }
}

/// The events of a saved history: `{"events": [...]}` (GetExecutionHistory, pages joined by the AWS CLI), a bare
/// array of events, or `run --history`'s output (its first `{"events": ...}` line).
pub fn history_events(text: &str) -> Result<Vec<Value>, String> {
    let from = |value: Value| match value {
        Value::Array(events) => Some(events),
        Value::Object(mut object) => match object.remove("events") {
            Some(Value::Array(events)) => Some(events),
            _ => None,
        },
        _ => None,
    };
    if let Ok(value) = stepfn_asl::json_text::from_str(text) {
        return from(value).ok_or_else(|| {
            "not a history: expected {\"events\": [...]} (GetExecutionHistory's answer) or an array of events"
                .to_owned()
        });
    }
    text.lines()
        .filter_map(|line| stepfn_asl::json_text::from_str(line).ok())
        .find_map(from)
        .ok_or_else(|| {
            "not a history: no JSON {\"events\": [...]} in it (save GetExecutionHistory's answer, or the first line `run --history` prints)"
                .to_owned()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn definition() -> Value {
        json!({"StartAt": "Work", "States": {
            "Work": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:work",
                     "Retry": [{"ErrorEquals": ["Flaky"]}], "Next": "Each"},
            "Each": {"Type": "Map", "ItemProcessor": {"StartAt": "Item", "States": {"Item": {"Type": "Pass", "End": true}}},
                     "End": true}
        }})
    }

    fn event(id: u64, previous: u64, kind: &str, details: Value) -> Value {
        let mut event = Event {
            id,
            previous_event_id: previous,
            timestamp: format!("2026-01-31T09:00:0{}.000Z", id.min(9)),
            kind: kind.to_owned(),
            details: None,
        };
        if !details.is_null() {
            event.details = Some(details);
        }
        event.to_json()
    }

    #[test]
    fn the_view_reads_retries_and_map_iterations_from_the_history() {
        let events = vec![
            event(1, 0, "ExecutionStarted", json!({"input": "{}"})),
            event(
                2,
                1,
                "TaskStateEntered",
                json!({"name": "Work", "input": "{}"}),
            ),
            event(3, 2, "LambdaFunctionScheduled", json!({})),
            event(
                4,
                3,
                "LambdaFunctionFailed",
                json!({"error": "Flaky", "cause": "once"}),
            ),
            event(5, 4, "LambdaFunctionScheduled", json!({})),
            event(6, 5, "LambdaFunctionSucceeded", json!({"output": "[1,2]"})),
            event(
                7,
                6,
                "TaskStateExited",
                json!({"name": "Work", "output": "[1,2]"}),
            ),
            event(
                8,
                7,
                "MapStateEntered",
                json!({"name": "Each", "input": "[1,2]"}),
            ),
            event(9, 8, "MapStateStarted", json!({"length": 2})),
            event(
                10,
                9,
                "MapIterationStarted",
                json!({"name": "Each", "index": 0}),
            ),
            event(
                11,
                10,
                "PassStateEntered",
                json!({"name": "Item", "input": "1"}),
            ),
            event(
                12,
                11,
                "PassStateExited",
                json!({"name": "Item", "output": "1"}),
            ),
            event(
                13,
                12,
                "MapIterationSucceeded",
                json!({"name": "Each", "index": 0}),
            ),
            event(
                14,
                9,
                "MapIterationStarted",
                json!({"name": "Each", "index": 1}),
            ),
            event(
                15,
                14,
                "PassStateEntered",
                json!({"name": "Item", "input": "2"}),
            ),
        ];
        let view = view(&definition(), &events, None);
        assert_eq!(view["execution"]["status"], "RUNNING");
        let visits = view["visits"].as_array().unwrap();
        let work = &visits[0];
        assert_eq!(
            (&work["state"], &work["status"]),
            (&json!("Work"), &json!("succeeded"))
        );
        assert_eq!(work["attempts"].as_array().unwrap().len(), 2);
        assert_eq!(work["attempts"][0]["error"], "Flaky");
        assert_eq!(work["output"], "[1,2]");
        let map = &visits[1];
        assert_eq!(map["status"], "running");
        assert_eq!(
            map["iterations"],
            json!([
                {"index": 0, "status": "succeeded", "started": "2026-01-31T09:00:09.000Z", "ended": "2026-01-31T09:00:09.000Z"},
                {"index": 1, "status": "running", "started": "2026-01-31T09:00:09.000Z", "ended": null},
            ])
        );
        let items: Vec<(&Value, &Value, &Value)> = visits[2..]
            .iter()
            .map(|v| (&v["iteration"], &v["status"], &v["parent"]))
            .collect();
        assert_eq!(
            items,
            [
                (&json!(0), &json!("succeeded"), &json!(1)),
                (&json!(1), &json!("running"), &json!(1))
            ]
        );
        assert_eq!(view["events"][3]["state"], "Work");
        assert_eq!(view["events"][3]["elapsed"], "+3.000s");
        assert_eq!(
            view["graph"]["states"][1]["branches"][0]["states"][0]["name"],
            "Item"
        );
    }

    #[test]
    fn an_open_state_is_failed_where_the_execution_failed_and_cancelled_when_stopped() {
        let failed = vec![
            event(1, 0, "ExecutionStarted", json!({"input": "{}"})),
            event(
                2,
                1,
                "PassStateEntered",
                json!({"name": "Work", "input": "{}"}),
            ),
            event(
                3,
                2,
                "ExecutionFailed",
                json!({"error": "States.Runtime", "cause": "bad path"}),
            ),
        ];
        let view = view(&definition(), &failed, None);
        assert_eq!(view["execution"]["status"], "FAILED");
        assert_eq!(view["visits"][0]["status"], "failed");
        assert_eq!(view["visits"][0]["error"], "States.Runtime");
        let mut stopped = failed.clone();
        stopped[2] = event(3, 2, "ExecutionAborted", json!({}));
        let view = super::view(&definition(), &stopped, None);
        assert_eq!(view["execution"]["status"], "ABORTED");
        assert_eq!(view["visits"][0]["status"], "cancelled");
    }

    /// The statuses of the visits of `definition` run on the engine (virtual time), by state name in order.
    fn run_statuses(definition: Value, input: Value) -> Vec<(String, String, Value)> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        let machine = stepfn_engine::Machine::from_json(&definition.to_string()).expect("valid");
        let options = stepfn_engine::Options {
            virtual_time: true,
            history: true,
            ..Default::default()
        };
        let outcome = runtime.block_on(machine.run(input, &options));
        let events: Vec<Value> = outcome.history.iter().map(Event::to_json).collect();
        let view = view(&definition, &events, None);
        view["visits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                (
                    v["state"].as_str().unwrap().to_owned(),
                    v["status"].as_str().unwrap().to_owned(),
                    v["error"].clone(),
                )
            })
            .collect()
    }

    fn status_of<'a>(visits: &'a [(String, String, Value)], state: &str) -> (&'a str, &'a Value) {
        let (_, status, error) = visits
            .iter()
            .rev()
            .find(|(name, _, _)| name == state)
            .unwrap_or_else(|| panic!("{state} not in {visits:?}"));
        (status.as_str(), error)
    }

    /// AWS: when one branch of a Parallel fails, "all other branches are stopped" (the Parallel state's docs); caught,
    /// the execution goes on: the stopped branch's state is cancelled, not succeeded, and the Fail state's error shows
    /// on it although a Fail state has no event of its own.
    #[test]
    fn a_branch_stopped_by_its_sibling_is_cancelled_and_a_fail_state_inside_shows_its_error() {
        let definition = json!({"StartAt": "Both", "States": {
            "Both": {"Type": "Parallel", "Next": "Done", "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Recover"}],
                "Branches": [
                    {"StartAt": "Slow", "States": {"Slow": {"Type": "Wait", "Seconds": 3, "End": true}}},
                    {"StartAt": "Oops", "States": {"Oops": {"Type": "Fail", "Error": "Broke", "Cause": "on purpose"}}}]},
            "Recover": {"Type": "Pass", "End": true},
            "Done": {"Type": "Succeed"}}});
        let visits = run_statuses(definition, json!({}));
        assert_eq!(status_of(&visits, "Slow").0, "cancelled", "{visits:?}");
        assert_eq!(
            status_of(&visits, "Oops"),
            ("failed", &json!("Broke")),
            "{visits:?}"
        );
        assert_eq!(status_of(&visits, "Both").0, "caught");
        assert_eq!(status_of(&visits, "Recover").0, "succeeded");
        assert!(!visits.iter().any(|(name, _, _)| name == "Done"));
    }

    /// A runtime error in a Choice inside a branch fails the execution: the Choice is where it failed, with the error.
    #[test]
    fn a_runtime_error_inside_a_branch_marks_its_state_failed() {
        let definition = json!({"StartAt": "Both", "States": {"Both": {"Type": "Parallel", "End": true, "Branches": [
            {"StartAt": "Check", "States": {
                "Check": {"Type": "Choice", "Choices": [{"Variable": "$.v.bad", "NumericEquals": 1, "Next": "Yes"}], "Default": "Yes"},
                "Yes": {"Type": "Succeed"}}}]}}});
        let visits = run_statuses(definition, json!({"v": {}}));
        let (status, error) = status_of(&visits, "Check");
        assert_eq!(
            (status, error),
            ("failed", &json!("States.Runtime")),
            "{visits:?}"
        );
        assert_eq!(status_of(&visits, "Both").0, "failed");
    }

    /// A Map whose iteration fails and is caught: the failing iteration's Fail state is failed, the iterations that were
    /// still running are cancelled (with their Map), none is left running.
    #[test]
    fn iterations_cut_by_a_failed_map_are_not_left_running() {
        let definition = json!({"StartAt": "Each", "States": {
            "Each": {"Type": "Map", "MaxConcurrency": 0, "Next": "Done", "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}],
                "ItemProcessor": {"StartAt": "Which", "States": {
                    "Which": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": 1, "Next": "Boom"}], "Default": "Nap"},
                    "Nap": {"Type": "Wait", "Seconds": 5, "End": true},
                    "Boom": {"Type": "Fail", "Error": "Boom"}}}},
            "Done": {"Type": "Succeed"}}});
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        let machine = stepfn_engine::Machine::from_json(&definition.to_string()).unwrap();
        let options = stepfn_engine::Options {
            virtual_time: true,
            history: true,
            ..Default::default()
        };
        let outcome = runtime.block_on(machine.run(json!([0, 1, 2]), &options));
        let events: Vec<Value> = outcome.history.iter().map(Event::to_json).collect();
        let view = view(&definition, &events, None);
        let visits = view["visits"].as_array().unwrap();
        assert!(
            visits.iter().all(|v| v["status"] != "running"),
            "{visits:#?}"
        );
        let boom = visits.iter().find(|v| v["state"] == "Boom").unwrap();
        assert_eq!(
            (&boom["status"], &boom["error"]),
            (&json!("failed"), &json!("Boom"))
        );
        let each = visits.iter().find(|v| v["state"] == "Each").unwrap();
        assert_eq!(each["status"], "caught");
        assert!(
            each["iterations"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["status"] != "running"),
            "{each}"
        );
        assert!(
            each["iterations"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["status"] == "failed"),
            "{each}"
        );
    }

    #[test]
    fn histories_are_read_from_what_aws_and_run_history_write() {
        let wire = r#"{"events": [{"timestamp": 1769850000.5, "type": "ExecutionStarted", "id": 1, "previousEventId": 0,
            "executionStartedEventDetails": {"input": "{}"}}], "nextToken": null}"#;
        let events = history_events(wire).unwrap();
        let event = Event::from_json(&events[0]).unwrap();
        assert_eq!(event.timestamp, "2026-01-31T09:00:00.500Z");
        assert_eq!(event.details, Some(json!({"input": "{}"})));
        let cli = r#"{"events": [{"timestamp": "2026-01-31T10:00:00.500000+01:00", "type": "ExecutionStarted", "id": 1},
            {"timestamp": "2026-01-31 09:00:01.250000+00:00", "type": "ExecutionSucceeded", "id": 2, "previousEventId": 1}]}"#;
        let events = history_events(cli).unwrap();
        let times: Vec<String> = events
            .iter()
            .map(|e| Event::from_json(e).unwrap().timestamp)
            .collect();
        assert_eq!(
            times,
            ["2026-01-31T09:00:00.500Z", "2026-01-31T09:00:01.250Z"]
        );
        let run_output = "{\"events\":[{\"type\":\"ExecutionStarted\",\"id\":1}]}\n{\"status\":\"SUCCEEDED\",\"output\":{}}\n";
        assert_eq!(history_events(run_output).unwrap().len(), 1);
        assert!(history_events("{\"status\": 1}")
            .unwrap_err()
            .contains("not a history"));
    }

    /// Any sequence of events (types from every family, ids and previous ids pointing anywhere, details of any
    /// shape, timestamps of any form) is read into a view without a panic, and every `*StateEntered` event with a
    /// name becomes one visit.
    mod any_history {
        use super::*;
        use proptest::prelude::*;

        const KINDS: &[&str] = &[
            "ExecutionStarted",
            "ExecutionSucceeded",
            "ExecutionFailed",
            "ExecutionAborted",
            "ExecutionTimedOut",
            "ExecutionRedriven",
            "TaskStateEntered",
            "TaskStateExited",
            "PassStateEntered",
            "MapStateEntered",
            "MapStateExited",
            "MapStateStarted",
            "MapIterationStarted",
            "MapIterationSucceeded",
            "MapIterationFailed",
            "MapIterationAborted",
            "MapStateFailed",
            "ParallelStateEntered",
            "ParallelStateStarted",
            "ParallelStateFailed",
            "ParallelStateExited",
            "LambdaFunctionScheduled",
            "LambdaFunctionFailed",
            "LambdaFunctionSucceeded",
            "TaskFailed",
            "TaskSucceeded",
            "FailStateEntered",
            "Unheard",
        ];

        fn details() -> impl Strategy<Value = Value> {
            prop_oneof![
                Just(Value::Null),
                Just(json!("text")),
                ("[A-C]{1,2}", 0u64..5).prop_map(|(name, index)| json!({"name": name, "index": index, "input": "{}", "output": "[1]", "error": "E", "cause": "c"})),
                (0i64..3).prop_map(|n| json!({"name": n, "index": -n, "input": {"not": "text"}})),
            ]
        }

        fn event() -> impl Strategy<Value = Value> {
            (0..KINDS.len(), 0u64..40, 0u64..40, details(), prop_oneof![
                Just(json!(1_769_850_000.25)), Just(json!(-1e300)), Just(json!(f64::MAX)),
                Just(json!("2026-01-31T09:00:00Z")), Just(json!("yesterday")), Just(Value::Null),
            ])
                .prop_map(|(kind, id, previous, details, timestamp)| {
                    let kind = KINDS[kind];
                    let key = Event { id, previous_event_id: previous, timestamp: String::new(), kind: kind.to_owned(), details: None }
                        .details_key();
                    json!({"type": kind, "id": id, "previousEventId": previous, "timestamp": timestamp, key: details})
                })
        }

        proptest! {
            #[test]
            fn never_panics(events in proptest::collection::vec(event(), 0..60)) {
                let view = view(&definition(), &events, None);
                let named_entries = events.iter().filter(|e| e["type"].as_str().unwrap().ends_with("StateEntered")).count();
                prop_assert_eq!(view["visits"].as_array().unwrap().len(), named_entries);
                prop_assert_eq!(view["events"].as_array().unwrap().len(), events.len());
                let html = html_file(&view);
                prop_assert!(html.ends_with("</html>\n"));
            }
        }
    }

    #[test]
    fn the_file_keeps_its_data_inside_its_script_element() {
        let events = vec![event(
            1,
            0,
            "ExecutionStarted",
            json!({"input": "{\"x\": \"</script><script>alert(1)</script><!--\"}"}),
        )];
        let html = html_file(&view(&definition(), &events, None));
        let data_start = html
            .find(r#"<script type="application/json" id="stepfn-data">"#)
            .unwrap();
        let data_end = data_start + html[data_start..].find("</script>").unwrap();
        let data = &html[data_start..data_end];
        assert!(!data[1..].contains('<'), "{data}");
        assert!(data.contains("alert(1)"));
        assert!(
            !html.contains("http://") || !html.contains("src=\"http"),
            "no remote script"
        );
    }
}
