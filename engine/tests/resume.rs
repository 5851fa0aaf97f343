//! Redrive (`Options::resume`): AWS's RedriveExecution "continues the failed execution from the unsuccessful step and
//! uses the same input. Step Functions preserves the results and execution history of the successful steps, and
//! doesn't rerun these steps" (API_RedriveExecution); the history goes on with an `ExecutionRedriven` event
//! (API_ExecutionRedrivenEventDetails), and `$$.Execution.RedriveCount` counts the redrives (context object).

use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use stepfn_engine::resume::{Checkpoint, CheckpointSink, Resume};
use stepfn_engine::{Failure, Machine, Options, Resources, Status, TaskCall, TaskFuture};

const CHARGE: &str = "arn:aws:lambda:us-east-1:123456789012:function:charge";

fn machine() -> Machine {
    Machine::from_json(
        &json!({"StartAt": "Price", "States": {
            "Price": {"Type": "Pass", "Assign": {"price": 42}, "Result": {"order": 7}, "Next": "Charge"},
            "Charge": {"Type": "Task", "Resource": CHARGE,
                "Parameters": {"order.$": "$.order", "price.$": "$price", "redrives.$": "$$.Execution.RedriveCount"},
                "Next": "Done"},
            "Done": {"Type": "Pass", "End": true}
        }})
        .to_string(),
    )
    .unwrap()
}

/// A charge that fails while `failing` is set, and counts its calls.
fn resources(failing: Arc<Mutex<bool>>, calls: Arc<AtomicUsize>) -> Resources {
    let mut resources = Resources::default();
    resources.resource(CHARGE, move |call: TaskCall| -> TaskFuture {
        calls.fetch_add(1, Ordering::SeqCst);
        let fail = *failing.lock().unwrap();
        Box::pin(async move {
            if fail {
                Err(Failure::new("CardDeclined", "try later"))
            } else {
                Ok(call.input)
            }
        })
    });
    resources
}

#[tokio::test]
async fn a_redrive_goes_on_from_the_failed_state_with_its_input_and_the_variables() {
    let machine = machine();
    let failing = Arc::new(Mutex::new(true));
    let calls = Arc::new(AtomicUsize::new(0));
    let checkpoints = Arc::new(Mutex::new(Vec::<Checkpoint>::new()));
    let seen = checkpoints.clone();
    let first = machine
        .run(
            json!({"start": true}),
            &Options {
                history: true,
                resources: resources(failing.clone(), calls.clone()),
                on_checkpoint: Some(CheckpointSink(Arc::new(move |c: &Checkpoint| {
                    seen.lock().unwrap().push(c.clone())
                }))),
                ..Options::default()
            },
        )
        .await;
    assert_eq!(first.status, Status::Failed);
    let checkpoints = checkpoints.lock().unwrap().clone();
    // One checkpoint per top-level state entered: Price, then Charge with Price's output and assignment.
    assert_eq!(
        checkpoints
            .iter()
            .map(|c| c.state.as_str())
            .collect::<Vec<_>>(),
        ["Price", "Charge"]
    );
    let last = checkpoints.last().unwrap().clone();
    assert_eq!(last.input, json!({"order": 7}));
    assert_eq!(last.variables.get("price"), Some(&json!(42)));

    *failing.lock().unwrap() = false;
    let so_far = first.history.len() as u64;
    let second = machine
        .run(
            json!({"start": true}),
            &Options {
                history: true,
                resources: resources(failing, calls.clone()),
                resume: Some(Resume {
                    from: last,
                    events_so_far: so_far,
                    redrive_count: 1,
                    started: (1_700_000_000, 0),
                }),
                ..Options::default()
            },
        )
        .await;
    assert_eq!(second.status, Status::Succeeded, "{:?}", second.cause);
    assert_eq!(
        second.output,
        Some(json!({"order": 7, "price": 42, "redrives": 1}))
    );
    assert_eq!(calls.load(Ordering::SeqCst), 2, "Charge ran once per run");
    // The history goes on after the first run's events; Price is not run again.
    let kinds: Vec<&str> = second.history.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds.first(), Some(&"ExecutionRedriven"));
    assert!(second.history.iter().all(|e| {
        e.details.as_ref().and_then(|d| d.get("name")) != Some(&Value::from("Price"))
    }));
    assert_eq!(second.history[0].id, so_far + 1);
    assert_eq!(second.history[0].previous_event_id, so_far);
    assert_eq!(second.history[0].details, Some(json!({"redriveCount": 1})));
    assert!(second.history.windows(2).all(|w| w[1].id == w[0].id + 1));
}

#[tokio::test]
async fn a_redrive_keeps_the_first_start_time_and_tells_the_redrive_time() {
    let machine = Machine::from_json(
        &json!({"StartAt": "Look", "States": {"Look": {"Type": "Pass",
            "Parameters": {"start.$": "$$.Execution.StartTime", "redriven.$": "$$.Execution.RedriveTime"},
            "End": true}}})
        .to_string(),
    )
    .unwrap();
    let outcome = machine
        .run(
            json!({}),
            &Options {
                resume: Some(Resume {
                    from: Checkpoint {
                        state: "Look".into(),
                        input: json!({}),
                        variables: Default::default(),
                    },
                    events_so_far: 3,
                    redrive_count: 2,
                    started: (1_700_000_000, 0),
                }),
                ..Options::default()
            },
        )
        .await;
    let output = outcome.output.expect("succeeded");
    assert_eq!(output["start"], json!("2023-11-14T22:13:20.000Z"));
    assert_ne!(output["redriven"], output["start"]);
}

#[tokio::test]
async fn a_redrive_from_a_state_the_definition_lacks_fails_with_a_named_error() {
    let outcome = machine()
        .run(
            json!({}),
            &Options {
                resume: Some(Resume {
                    from: Checkpoint {
                        state: "Gone".into(),
                        input: json!({}),
                        variables: Default::default(),
                    },
                    events_so_far: 0,
                    redrive_count: 1,
                    started: (0, 0),
                }),
                ..Options::default()
            },
        )
        .await;
    assert_eq!(outcome.status, Status::Failed);
    assert_eq!(outcome.error.as_deref(), Some("States.Runtime"));
    assert!(outcome.cause.unwrap().contains("'Gone'"));
}
