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
                        parts: Default::default(),
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
                        parts: Default::default(),
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

const ITEM: &str = "arn:aws:lambda:us-east-1:123456789012:function:item";

/// "For workflows that include an Inline Map or Parallel state, RedriveExecution API action reschedules and redrives
/// only the iterations and branches that failed or aborted" (API_RedriveExecution). A Parallel whose second branch
/// fails, redriven: only that branch runs again; then a Map whose second item fails, redriven: the first item is not
/// run again, the second and the one never started are.
#[tokio::test]
async fn a_redrive_reruns_only_the_branches_and_iterations_that_did_not_succeed() {
    let machine = Machine::from_json(
        &json!({"StartAt": "Fan", "States": {
            "Fan": {"Type": "Parallel", "ResultPath": "$.fan", "Next": "Each", "Branches": [
                {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": ITEM, "Parameters": {"item": "a"}, "End": true}}},
                {"StartAt": "B", "States": {"B": {"Type": "Task", "Resource": ITEM, "Parameters": {"item": "b"}, "End": true}}}]},
            "Each": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 1, "ResultPath": "$.each", "End": true,
                "ItemSelector": {"item.$": "$$.Map.Item.Value"},
                "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Task", "Resource": ITEM, "End": true}}}}
        }})
        .to_string(),
    )
    .unwrap();
    let failing: Arc<Mutex<Vec<&str>>> = Arc::new(Mutex::new(vec!["b"]));
    let calls: Arc<Mutex<Vec<String>>> = Arc::default();
    let told: Arc<Mutex<Vec<Checkpoint>>> = Arc::default();
    let last_told = || told.lock().unwrap().last().cloned().unwrap();
    let options = |resume: Option<Resume>| {
        let (failing, calls, seen) = (failing.clone(), calls.clone(), told.clone());
        let mut resources = Resources::default();
        resources.resource(ITEM, move |call: TaskCall| -> TaskFuture {
            let item = call.input["item"].as_str().unwrap_or_default().to_owned();
            calls.lock().unwrap().push(item.clone());
            let fail = failing.lock().unwrap().contains(&item.as_str());
            Box::pin(async move {
                match fail {
                    true => Err(Failure::new("ItemFailed", item)),
                    false => Ok(json!(format!("done {item}"))),
                }
            })
        });
        Options {
            history: true,
            resources,
            resume,
            on_checkpoint: Some(CheckpointSink(Arc::new(move |c: &Checkpoint| {
                seen.lock().unwrap().push(c.clone())
            }))),
            ..Options::default()
        }
    };
    let input = json!({"items": ["x", "y", "z"]});
    let mut events = 0;
    let redrive = |from: Checkpoint, events: u64, count: u32| Resume {
        from,
        events_so_far: events,
        redrive_count: count,
        started: (1_700_000_000, 0),
    };

    let first = machine.run(input.clone(), &options(None)).await;
    assert_eq!(first.error.as_deref(), Some("ItemFailed"));
    let stopped = last_told();
    assert_eq!(stopped.state, "Fan");
    assert_eq!(stopped.parts, [(0, json!("done a"))].into_iter().collect());
    events += first.history.len() as u64;

    // The branch that failed runs again, the one that succeeded does not; then the Map's second item fails.
    *failing.lock().unwrap() = vec!["y"];
    calls.lock().unwrap().clear();
    let second = machine
        .run(input.clone(), &options(Some(redrive(stopped, events, 1))))
        .await;
    assert_eq!(
        second.error.as_deref(),
        Some("ItemFailed"),
        "{}",
        second.trace()
    );
    assert_eq!(*calls.lock().unwrap(), ["b", "x", "y"]);
    let stopped = last_told();
    assert_eq!(stopped.state, "Each");
    assert_eq!(stopped.input["fan"], json!(["done a", "done b"]));
    assert_eq!(stopped.parts, [(0, json!("done x"))].into_iter().collect());
    events += second.history.len() as u64;

    // The Map's failed item and the one never started run; the output has every item in order.
    failing.lock().unwrap().clear();
    calls.lock().unwrap().clear();
    told.lock().unwrap().clear();
    let third = machine
        .run(
            input.clone(),
            &options(Some(redrive(stopped.clone(), events, 2))),
        )
        .await;
    assert_eq!(third.status, Status::Succeeded, "{}", third.trace());
    assert_eq!(*calls.lock().unwrap(), ["y", "z"]);
    // Where the redrive stands as it resumes still has the parts carried over (stopped or cut off again at once,
    // it would redrive from them).
    assert_eq!(told.lock().unwrap()[0].parts, stopped.parts);
    let output = third.output.unwrap();
    assert_eq!(output["each"], json!(["done x", "done y", "done z"]));
    let indexes: Vec<&Value> = (third.history.iter())
        .filter(|e| e.kind == "MapIterationStarted")
        .map(|e| &e.details.as_ref().unwrap()["index"])
        .collect();
    assert_eq!(indexes, [&json!(1), &json!(2)]);
}

/// A retry of a Map state runs every iteration again, and the parts kept are those of its last attempt.
#[tokio::test]
async fn a_retried_map_runs_every_iteration_again() {
    let machine = Machine::from_json(
        &json!({"StartAt": "Each", "States": {
            "Each": {"Type": "Map", "MaxConcurrency": 1, "End": true,
                "Retry": [{"ErrorEquals": ["ItemFailed"], "MaxAttempts": 1, "IntervalSeconds": 1}],
                "ItemSelector": {"item.$": "$$.Map.Item.Value"},
                "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Task", "Resource": ITEM, "End": true}}}}
        }})
        .to_string(),
    )
    .unwrap();
    let calls: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen: Arc<Mutex<Option<Checkpoint>>> = Arc::default();
    let mut resources = Resources::default();
    let log = calls.clone();
    // "y" always fails; "x" succeeds the first time only.
    resources.resource(ITEM, move |call: TaskCall| -> TaskFuture {
        let item = call.input["item"].as_str().unwrap_or_default().to_owned();
        let mut log = log.lock().unwrap();
        let before = log.iter().filter(|i| **i == item).count();
        log.push(item.clone());
        Box::pin(async move {
            match (item.as_str(), before) {
                ("y", _) | ("x", 1..) => Err(Failure::new("ItemFailed", item)),
                _ => Ok(json!(item)),
            }
        })
    });
    let sink = seen.clone();
    let outcome = machine
        .run(
            json!(["x", "y", "z"]),
            &Options {
                resources,
                virtual_time: true,
                on_checkpoint: Some(CheckpointSink(Arc::new(move |c: &Checkpoint| {
                    *sink.lock().unwrap() = Some(c.clone())
                }))),
                ..Options::default()
            },
        )
        .await;
    assert_eq!(outcome.error.as_deref(), Some("ItemFailed"));
    assert_eq!(*calls.lock().unwrap(), ["x", "y", "x"]);
    // The first attempt's success does not stand for the last attempt, where "x" failed.
    let stopped = seen.lock().unwrap().clone().unwrap();
    assert_eq!((stopped.state.as_str(), stopped.parts.len()), ("Each", 0));
}
