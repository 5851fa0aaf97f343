//! `watch`: an execution's events as they happen, in the trace local runs print, then the workflow's graph with
//! what each state did, then how the execution ended.

use crate::error::from_sdk;
use crate::execution::next_poll;
use crate::{event_from_sdk, Description, Error, Execution};
use std::collections::HashMap;
use std::io::Write;
use std::time::Duration;
use stepfn_asl::graph::{mermaid_marked, outline, StateMark};
use stepfn_engine::history::{elapsed, format_elapsed, Event, Tracer};

/// The width of the time column while streaming (`+1m05.000s`; longer times push the line right).
const TIME_WIDTH: usize = 10;
const FIRST_POLL: Duration = Duration::from_millis(200);

/// How a watched execution ended.
#[derive(Debug, Clone)]
pub struct Watched {
    pub description: Description,
    /// What each state did, for the graph.
    pub marks: HashMap<String, StateMark>,
    /// How many events were printed.
    pub events: usize,
}

/// How the graph is printed at the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GraphStyle {
    /// An indented list of the states with signs (`✓` ran, `↪` caught, `✗` failed, `·` not run): reads in a
    /// terminal.
    #[default]
    Outline,
    /// Mermaid with a `classDef` per mark, to paste where Mermaid is drawn (GitHub issues, pull requests).
    Mermaid,
    None,
}

/// Events after `seen`, oldest first: GetExecutionHistory newest first (`reverseOrder`), page after page, until an
/// event already seen. Each poll costs one call while fewer than 1,000 events are new. A service that ignores
/// `reverseOrder` (moto's server) sends the oldest first: then every page is read and the new events kept.
async fn new_events(execution: &Execution, seen: u64) -> Result<Vec<Event>, Error> {
    let mut pages = execution
        .client()
        .get_execution_history()
        .execution_arn(execution.arn())
        .reverse_order(true)
        .max_results(1000)
        .into_paginator()
        .send();
    let mut events = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| from_sdk("GetExecutionHistory", execution.arn(), e))?;
        let page: Vec<Event> = page.events().iter().map(event_from_sdk).collect();
        let newest_first = page.first().map(|e| e.id) > page.last().map(|e| e.id);
        let reached_seen = page.iter().any(|e| e.id <= seen);
        events.extend(page.into_iter().filter(|e| e.id > seen));
        if reached_seen && newest_first {
            break;
        }
    }
    events.sort_by_key(|e| e.id);
    Ok(events)
}

fn is_end(kind: &str) -> bool {
    matches!(
        kind,
        "ExecutionSucceeded" | "ExecutionFailed" | "ExecutionAborted" | "ExecutionTimedOut"
    )
}

/// Streams the execution's events to `out` as they happen (polling the history, every 200 ms while events come,
/// backing off to every 5 s while none do), until it ends; then draws the graph (`graph`) of the state machine it
/// ran (DescribeStateMachineForExecution, else `definition`) with each state's mark, and a last line with the
/// status, the duration, and the output or the error and cause.
pub async fn watch(
    execution: &Execution,
    definition: Option<&str>,
    graph: GraphStyle,
    out: &mut dyn Write,
) -> Result<Watched, Error> {
    let io = |e: std::io::Error| Error::Config(format!("cannot write the trace: {e}"));
    let mut tracer = Tracer::new();
    let mut seen = 0;
    let mut printed = 0;
    let mut interval = FIRST_POLL;
    let mut ended = false;
    let description = loop {
        let events = new_events(execution, seen).await?;
        for event in &events {
            writeln!(out, "{}", tracer.line(event).render(TIME_WIDTH)).map_err(io)?;
            seen = event.id;
            printed += 1;
            ended |= is_end(&event.kind);
        }
        out.flush().map_err(io)?;
        if ended {
            break execution.describe().await?;
        }
        if events.is_empty() {
            let described = execution.describe().await?;
            if described.status.is_closed() {
                // The last events may have come between the two calls.
                for event in new_events(execution, seen).await? {
                    writeln!(out, "{}", tracer.line(&event).render(TIME_WIDTH)).map_err(io)?;
                    printed += 1;
                }
                break described;
            }
            interval = next_poll(interval);
        } else {
            interval = FIRST_POLL;
        }
        tokio::time::sleep(interval).await;
    };
    let marks = tracer.marks();
    if graph != GraphStyle::None {
        let ran = execution
            .client()
            .describe_state_machine_for_execution()
            .execution_arn(execution.arn())
            .send()
            .await
            .ok()
            .map(|machine| machine.definition().to_owned());
        let text = ran.as_deref().or(definition);
        match text.and_then(|text| serde_json::from_str(text).ok()) {
            Some(document) => {
                let drawn = match graph {
                    GraphStyle::Mermaid => mermaid_marked(&document, &marks),
                    _ => outline(&document, &marks),
                };
                write!(out, "\n{drawn}\n").map_err(io)?;
            }
            None => writeln!(
                out,
                "\n(no definition to draw: DescribeStateMachineForExecution did not answer)"
            )
            .map_err(io)?,
        }
    }
    writeln!(out, "{}", ending(&description)).map_err(io)?;
    out.flush().map_err(io)?;
    Ok(Watched {
        description,
        marks,
        events: printed,
    })
}

/// `SUCCEEDED in 1.250s  output={...}` or `FAILED in 0.120s  error=OrderRejected  cause=...`.
pub fn ending(description: &Description) -> String {
    let mut line = description.status.as_str().to_owned();
    if let Some(stop) = &description.stop_date {
        if let Some(millis) = elapsed(&description.start_date, stop) {
            line.push_str(&format!(
                " in {}",
                format_elapsed(millis).trim_start_matches('+')
            ));
        }
    }
    if let Some(output) = &description.output {
        line.push_str(&format!("  output={output}"));
    }
    if let Some(error) = &description.error {
        line.push_str(&format!("  error={error}"));
    }
    if let Some(cause) = &description.cause {
        line.push_str(&format!("  cause={cause}"));
    }
    line
}
