//! The invocation path every entry point shares: JSON in, JSON or a named error out, panics included.

use serde::{Deserialize, Serialize};
use serde_json::json;
use stepfn::lambda::{select, Handler};
use stepfn::{error_names, invoke, step, workflow, Context, ErrorPayload, StepError, Workflow};

#[derive(Debug, Deserialize, Serialize)]
struct Order {
    id: String,
    lines: Vec<Line>,
}

#[derive(Debug, Deserialize, Serialize)]
struct Line {
    sku: String,
    quantity: u32,
}

#[derive(Debug, StepError)]
enum OrderError {
    Empty,
    #[step_error(name = "Order.TooLarge")]
    TooLarge {
        lines: usize,
    },
}

impl std::fmt::Display for OrderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OrderError::Empty => write!(f, "the order has no lines"),
            OrderError::TooLarge { lines } => {
                write!(f, "the order has {lines} lines; at most 2 are allowed")
            }
        }
    }
}

#[step]
async fn check_order(order: Order, context: Context) -> Result<Order, OrderError> {
    if order.id == "panic" {
        panic!("order {} made the step panic", context.request_id);
    }
    match order.lines.len() {
        0 => Err(OrderError::Empty),
        n if n > 2 => Err(OrderError::TooLarge { lines: n }),
        _ => Ok(order),
    }
}

#[derive(Debug, StepError)]
struct Unavailable;

impl std::fmt::Display for Unavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the warehouse is unavailable")
    }
}

#[step(name = "Ship it")]
async fn ship(order: Order) -> Result<Order, Unavailable> {
    Ok(order)
}

workflow! {
    Orders;
    check_order -> ship -> end;
}

async fn run(event: serde_json::Value) -> Result<serde_json::Value, ErrorPayload> {
    invoke::<check_order>(event, Context::local("req-1")).await
}

#[tokio::test]
async fn a_good_event_gives_the_output() {
    let event = json!({"id": "o-1", "lines": [{"sku": "a", "quantity": 1}]});
    assert_eq!(run(event.clone()).await.unwrap(), event);
}

#[tokio::test]
async fn step_errors_carry_their_own_names() {
    let empty = run(json!({"id": "o-1", "lines": []})).await.unwrap_err();
    assert_eq!(empty, ErrorPayload::new("Empty", "the order has no lines"));
    let line = json!({"sku": "a", "quantity": 1});
    let large = run(json!({"id": "o-1", "lines": [line, line, line]}))
        .await
        .unwrap_err();
    assert_eq!(large.error_type, "Order.TooLarge");
    assert_eq!(
        <OrderError as StepError>::NAMES,
        ["Empty", "Order.TooLarge"]
    );
    assert_eq!(<Unavailable as StepError>::NAMES, ["Unavailable"]);
}

#[tokio::test]
async fn an_event_that_does_not_deserialize_names_the_field() {
    let missing = run(json!({"lines": []})).await.unwrap_err();
    assert_eq!(missing.error_type, error_names::INVALID_INPUT);
    assert!(
        missing.error_message.contains("missing field `id`"),
        "{}",
        missing.error_message
    );

    let wrong = run(json!({"id": "o-1", "lines": [{"sku": "a", "quantity": "two"}]}))
        .await
        .unwrap_err();
    assert_eq!(wrong.error_type, error_names::INVALID_INPUT);
    assert!(
        wrong.error_message.contains("field `lines[0].quantity`"),
        "{}",
        wrong.error_message
    );
    assert!(
        !wrong.error_message.contains("::"),
        "no Rust type paths: {}",
        wrong.error_message
    );
}

#[tokio::test]
async fn a_panic_becomes_a_named_error_and_the_next_call_works() {
    let panicked = run(json!({"id": "panic", "lines": []})).await.unwrap_err();
    assert_eq!(panicked.error_type, error_names::PANIC);
    assert!(
        panicked
            .error_message
            .contains("order req-1 made the step panic"),
        "{}",
        panicked.error_message
    );
    assert!(
        run(json!({"id": "o-2", "lines": [{"sku": "b", "quantity": 2}]}))
            .await
            .is_ok()
    );
}

#[test]
fn the_handler_setting_picks_the_step() {
    let handlers = Orders::handlers();
    assert_eq!(
        select(&handlers, Some("ship")).unwrap().state_name,
        "Ship it"
    );
    assert_eq!(select(&handlers, Some("Ship it")).unwrap().fn_name, "ship");
    assert_eq!(
        select(&handlers, Some("CheckOrder")).unwrap().fn_name,
        "check_order"
    );
    let error = select(&handlers, Some("shipp")).unwrap_err().to_string();
    assert!(error.starts_with("Runtime.HandlerNotFound"), "{error}");
    assert!(error.contains("check_order, ship"), "{error}");
    assert!(
        select(&handlers, None).is_err(),
        "two steps: the handler must say which"
    );
    let single = [Handler::of::<ship>()];
    assert_eq!(select(&single, Some("bootstrap")).unwrap().fn_name, "ship");
    assert_eq!(select(&single, None).unwrap().fn_name, "ship");
}

#[cfg(feature = "local")]
#[test]
fn placeholders_come_from_the_function_names() {
    assert_eq!(
        Orders::placeholders(),
        ["CheckOrderFunctionArn", "ShipFunctionArn"]
    );
    let definition: serde_json::Value = serde_json::from_str(Orders::DEFINITION).unwrap();
    assert_eq!(
        definition["States"]["Ship it"]["Resource"],
        "${ShipFunctionArn}"
    );
    let rendered = Orders::definition_with([
        (
            "CheckOrderFunctionArn",
            "arn:aws:lambda:us-east-1:123456789012:function:check",
        ),
        (
            "ShipFunctionArn",
            "arn:aws:lambda:us-east-1:123456789012:function:ship",
        ),
    ])
    .unwrap();
    assert!(!rendered.contains("${"));
}
