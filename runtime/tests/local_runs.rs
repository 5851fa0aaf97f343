//! Running a workflow in process (the `local` feature): each run method's clock, a definition the executor cannot
//! compile as an error rather than a failed execution, and `TestRun`'s typed errors.
#![cfg(feature = "local")]

use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};
use stepfn::local::{CompileError, Options, Status};
use stepfn::testing::{json, Json, MockConfigError, MockItem, TestError, TestRun};
use stepfn::{step, workflow, Workflow};

#[derive(Deserialize, Serialize)]
pub struct Order {
    pub id: String,
}

#[step]
async fn charge(order: Order) -> Result<Order, std::convert::Infallible> {
    Ok(order)
}

workflow! {
    /// One hour's wait, then a step.
    pub Patient;
    Hold: Wait { Seconds: 3600 } -> charge -> end;
}

workflow! {
    /// A one-second wait: short enough to take for real.
    pub Brief;
    Pause: Wait { Seconds: 1 } -> end;
}

workflow! {
    /// Starts at a step that reads the input unchanged: the step's input type is the workflow's.
    pub Direct;
    charge -> end;
}

workflow! {
    /// Starts at a step that reshapes its input: the workflow takes JSON only.
    pub Reshaped;
    charge { InputPath: "$.order" } -> end;
}

#[step]
async fn echo(value: serde_json::Value) -> Result<serde_json::Value, std::convert::Infallible> {
    Ok(value)
}

workflow! {
    /// Starts at a step that takes JSON itself.
    pub Echo;
    echo -> end;
}

/// A hand-written `Workflow` whose definition `workflow!` would never have accepted.
struct Broken;

impl Workflow for Broken {
    const NAME: &'static str = "Broken";
    const DEFINITION: &'static str =
        r#"{"StartAt": "Nowhere", "States": {"A": {"Type": "Succeed"}}}"#;
    fn handlers() -> Vec<stepfn::lambda::Handler> {
        Vec::new()
    }
}

#[tokio::test]
async fn virtual_time_takes_no_time_and_real_time_does() {
    let started = Instant::now();
    let outcome = Patient::run_virtual_time(json!({"id": "o-1"}))
        .await
        .unwrap();
    assert_eq!(outcome.status, Status::Succeeded, "{}", outcome.trace());
    assert_eq!(outcome.output, Some(json!({"id": "o-1"})));
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "the hour was simulated"
    );
    assert!(!outcome.history.is_empty(), "the history is kept");
    // The trace shows each event's time on the execution's clock: the hour's wait is there, simulated.
    let trace = outcome.trace();
    let first = trace.lines().next().unwrap_or_default();
    assert!(
        first.trim_start().starts_with("+0.000s") && first.contains("ExecutionStarted"),
        "{trace}"
    );
    assert!(first.contains(" at 20"), "the start's timestamp: {trace}");
    let last = trace.lines().last().unwrap_or_default();
    assert!(
        last.trim_start().starts_with("+1h00m") && last.contains("ExecutionSucceeded"),
        "{trace}"
    );

    let started = Instant::now();
    let outcome = Brief::run_real_time(json!({})).await.unwrap();
    assert_eq!(outcome.status, Status::Succeeded);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "a real second passed"
    );

    let options = Options {
        virtual_time: true,
        ..Options::default()
    };
    let outcome = Patient::run_with(json!({"id": "o-2"}), options)
        .await
        .unwrap();
    assert_eq!(outcome.status, Status::Succeeded);
}

#[tokio::test]
async fn a_definition_that_cannot_compile_is_an_error_not_an_execution() {
    let error = Broken::run_virtual_time(json!({})).await.unwrap_err();
    assert!(matches!(error, CompileError::Invalid(_)), "{error:?}");
    assert!(error.to_string().contains("/StartAt"), "{error}");

    let error = TestRun::<Broken>::new().run(json!({})).await.unwrap_err();
    assert!(
        matches!(error, TestError::Compile(CompileError::Invalid(_))),
        "{error:?}"
    );
}

#[tokio::test]
async fn test_run_names_what_it_cannot_mock() {
    let error = TestRun::<Patient>::new()
        .mock_result("Charg", json!({}))
        .run(json!({"id": "o-1"}))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, TestError::Mock(MockConfigError::NotATaskState { state, .. }) if state == "Charg"),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("did you mean `Charge`"),
        "{error}"
    );

    let config = r#"{"StateMachines": {"Patient": {"TestCases": {"A": {"Charge": "Ok"}, "B": {"Charge": "Ok"}}}},
                     "MockedResponses": {"Ok": {"0": {"Return": {"id": "mocked"}}}}}"#;
    let error = TestRun::<Patient>::new()
        .mock_config(config, Some("Impatient"), "A")
        .run(json!({"id": "o-1"}))
        .await
        .unwrap_err();
    assert!(
        matches!(
            &error,
            TestError::Mock(MockConfigError::NoSuch {
                item: MockItem::StateMachine,
                ..
            })
        ),
        "{error:?}"
    );

    // The state machine named like the workflow is found without naming it.
    let run = TestRun::<Patient>::new()
        .mock_config(config, None, "B")
        .run(json!({"id": "o-1"}))
        .await
        .unwrap();
    assert_eq!(run.output(), &json!({"id": "mocked"}));
}

/// A workflow starting at a step takes that step's input type, or JSON; one that reshapes its input takes JSON.
#[tokio::test]
async fn a_run_takes_the_first_step_input_or_json() {
    let order = || Order { id: "o-3".into() };
    let typed = Direct::run_virtual_time(order()).await.unwrap();
    assert_eq!(typed.output, Some(json!({"id": "o-3"})));
    let value = Direct::run_virtual_time(json!({"id": "o-3"}))
        .await
        .unwrap();
    assert_eq!(value.output, typed.output);
    let wrapped = TestRun::<Direct>::new()
        .run(Json(json!({"id": "o-3"})))
        .await
        .unwrap();
    assert_eq!(wrapped.output(), &json!({"id": "o-3"}));
    let run = TestRun::<Direct>::new().run(order()).await.unwrap();
    assert_eq!(run.output(), &json!({"id": "o-3"}));

    let reshaped = TestRun::<Reshaped>::new()
        .run(json!({"order": {"id": "o-4"}}))
        .await
        .unwrap();
    assert_eq!(reshaped.output(), &json!({"id": "o-4"}));

    // The first step takes `Value` itself: the workflow has no typed input, and `json!` (or `Json`) starts it.
    let echo = TestRun::<Echo>::new().run(json!([2])).await.unwrap();
    assert_eq!(echo.output(), &json!([2]));
    let echo = TestRun::<Echo>::new().run(Json(json!([3]))).await.unwrap();
    assert_eq!(echo.output(), &json!([3]));
}
