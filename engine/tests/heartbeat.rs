//! `HeartbeatSeconds`: "If more time than the specified seconds elapses between heartbeats from the task, then this
//! state fails with a States.HeartbeatTimeout error name" (AWS, state-task, "Task state fields"); SendTaskHeartbeat
//! is that heartbeat. A handler beats through `TaskCall::heartbeat`.

use serde_json::json;
use std::time::Duration;
use stepfn_engine::{Machine, Options, Resources, Status, TaskCall, TaskFuture};

const WORKER: &str = "arn:aws:states:us-east-1:123456789012:activity:worker";

/// A task that works for `work`, beating every `every` (never, when `None`).
async fn run(
    heartbeat: u64,
    timeout: Option<u64>,
    work: Duration,
    every: Option<Duration>,
) -> stepfn_engine::Outcome {
    let mut state =
        json!({"Type": "Task", "Resource": WORKER, "HeartbeatSeconds": heartbeat, "End": true});
    if let Some(timeout) = timeout {
        state["TimeoutSeconds"] = json!(timeout);
    }
    let machine =
        Machine::from_json(&json!({"StartAt": "Work", "States": {"Work": state}}).to_string())
            .unwrap();
    let mut resources = Resources::default();
    resources.resource(WORKER, move |call: TaskCall| -> TaskFuture {
        Box::pin(async move {
            let end = tokio::time::Instant::now() + work;
            while tokio::time::Instant::now() < end {
                match every {
                    Some(every) => {
                        tokio::time::sleep(every).await;
                        call.heartbeat.beat();
                    }
                    None => tokio::time::sleep_until(end).await,
                }
            }
            Ok(json!("done"))
        })
    });
    machine
        .run(
            json!({}),
            &Options {
                resources,
                ..Options::default()
            },
        )
        .await
}

#[tokio::test(start_paused = true)]
async fn beats_keep_a_task_alive_past_its_heartbeat_seconds() {
    let outcome = run(
        10,
        None,
        Duration::from_secs(60),
        Some(Duration::from_secs(4)),
    )
    .await;
    assert_eq!(outcome.status, Status::Succeeded, "{:?}", outcome.cause);
}

#[tokio::test(start_paused = true)]
async fn a_task_that_stops_beating_fails_with_states_heartbeat_timeout() {
    let outcome = run(10, None, Duration::from_secs(60), None).await;
    assert_eq!(outcome.status, Status::Failed);
    assert_eq!(outcome.error.as_deref(), Some("States.HeartbeatTimeout"));
    assert_eq!(
        outcome.cause.as_deref(),
        Some("Task state 'Work' sent no heartbeat for 10 seconds")
    );
}

#[tokio::test(start_paused = true)]
async fn beats_do_not_extend_timeout_seconds() {
    let outcome = run(
        10,
        Some(30),
        Duration::from_secs(60),
        Some(Duration::from_secs(4)),
    )
    .await;
    assert_eq!(outcome.error.as_deref(), Some("States.Timeout"));
}
