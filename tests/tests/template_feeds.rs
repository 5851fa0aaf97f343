//! The check `workflow!` generates for templates that feed a step: each must write every field the step's input
//! type requires. The trial of issue 10 had a Map whose `ItemSelector` wrote `targetWidth.$` for a field the item
//! step reads as `target_width`: it compiled and failed only when run.

use serde::{Deserialize, Serialize};
use std::convert::Infallible;

#[derive(Debug, Deserialize, Serialize)]
pub struct Resize {
    key: String,
    target_width: u32,
    quality: Option<u8>,
}

#[derive(Debug, Deserialize, Serialize)]
pub struct Greeting {
    name: String,
    #[serde(default)]
    excited: bool,
}

#[stepfn::step]
async fn resize(input: Resize) -> Result<String, Infallible> {
    Ok(format!("{}@{}", input.key, input.target_width))
}

#[stepfn::step]
async fn greet(input: Greeting) -> Result<String, Infallible> {
    Ok(format!(
        "hello {}{}",
        input.name,
        if input.excited { "!" } else { "" }
    ))
}

// Every template writes what its step needs (`quality` is optional, `excited` has a default), so the test
// generated beside this workflow (`thumbnails_done_right_templates_write_what_their_steps_read`) passes here.
stepfn::workflow! {
    ThumbnailsDoneRight;
    ResizeAll: Map {
        ItemsPath: "$.images",
        ItemSelector: { "key.$": "$$.Map.Item.Value", "target_width.$": "$.width" },
        ItemProcessor: { resize -> end; },
    } -> greet { Parameters: { "name": "team" } } -> end;
}

#[test]
fn templates_that_write_every_required_field_pass() {
    assert_eq!(ThumbnailsDoneRight::check_templates(), Ok(()));
}

#[test]
fn a_misnamed_item_selector_key_is_reported_with_its_fix() {
    let report = stepfn_step_library::misfit::Thumbnails::check_templates().unwrap_err();
    assert!(
        report.contains("the `ItemSelector` of Map `ResizeAll` feeds step `Resize`"),
        "{report}"
    );
    assert!(report.contains("needs field `target_width`"), "{report}");
    assert!(
        report.contains("rename its key `targetWidth` to `target_width`"),
        "{report}"
    );
    // `quality` is an `Option`: not written, and not required.
    assert!(!report.contains("quality"), "{report}");
}

#[tokio::test]
async fn the_misfit_is_the_run_time_failure_it_predicts() {
    use stepfn::Workflow;
    let input = serde_json::json!({"images": ["a.png"], "width": 64});
    let outcome = stepfn_step_library::misfit::Thumbnails::run_virtual_time(input)
        .await
        .expect("the definition compiles");
    assert_eq!(
        outcome.error.as_deref(),
        Some("Stepfn.InvalidInput"),
        "{outcome:?}"
    );
    assert!(outcome.cause.unwrap_or_default().contains("target_width"));
}
