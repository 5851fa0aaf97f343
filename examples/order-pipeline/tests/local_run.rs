//! The order pipeline run locally with its real Rust steps (stepfn::testing): the paths through every state type,
//! retries exercised with per-attempt mocks, the DynamoDB task mocked, waits on the virtual clock.

use order_pipeline::{LineItem, Order, OrderPipeline};
use serde_json::{json, Value};
use stepfn::testing::{MockConfigError, Response, TestError, TestRun};

/// The workflow's typed input: its first step, `validate_order`, takes an `Order`.
fn order(customer: &str, total: u64, skus: &[&str]) -> Order {
    Order {
        id: "o-1".into(),
        customer: customer.into(),
        total,
        lines: skus
            .iter()
            .map(|sku| LineItem {
                sku: sku.to_string(),
                quantity: 12,
            })
            .collect(),
        express: None,
    }
}

/// The DynamoDB `putItem` is not a step of the workflow: every run mocks it.
fn test_run() -> TestRun<OrderPipeline> {
    TestRun::new().mock_result("RecordShipment", json!({}))
}

#[tokio::test]
async fn an_order_goes_through_every_step() -> Result<(), TestError> {
    let run = test_run().run(order("ada", 4200, &["a", "b"])).await?;
    assert_eq!(
        run.output(),
        &json!({"orderId": "o-1", "trackingNumber": "TRK-O-1", "parcels": 4})
    );
    run.assert_path(&[
        "ValidateOrder",
        "CheckAmount",
        "Fulfil",
        "ReserveStock",
        "ChargeCard",
        "PackLines",
        "PackItem",
        "PackItem",
        "ShipOrder",
        "RecordShipment",
        "Summarise",
        "Done",
    ]);
    let packed = run.state_output("PackLines").unwrap();
    assert_eq!(
        packed["packed"],
        json!([{"sku": "a", "parcels": 2}, {"sku": "b", "parcels": 2}])
    );
    Ok(())
}

#[tokio::test]
async fn large_orders_wait_for_review_on_the_virtual_clock() -> Result<(), TestError> {
    let started = std::time::Instant::now();
    let run = test_run().run(order("ada", 250_000, &["a"])).await?;
    assert!(run.path().contains(&"HoldForReview".to_string()));
    assert!(
        started.elapsed().as_secs() < 60,
        "the one-hour wait took no real time"
    );
    assert_eq!(run.output()["parcels"], 2);
    Ok(())
}

#[tokio::test]
async fn out_of_stock_is_caught_and_fails_the_order() -> Result<(), TestError> {
    let run = test_run().run(order("ada", 4200, &["gone-1"])).await?;
    run.assert_failed_with("OutOfStock");
    assert_eq!(run.path().last().map(String::as_str), Some("OutOfStock"));
    Ok(())
}

#[tokio::test]
async fn a_step_error_reaches_the_catch_with_its_name_and_message() -> Result<(), TestError> {
    let mut invalid = order("ada", 4200, &["a"]);
    invalid.lines[0].quantity = 0;
    let run = test_run().run(invalid).await?;
    run.assert_failed_with("OrderRejected");
    let cause: Value = serde_json::from_str(run.outcome.cause.as_deref().unwrap()).unwrap();
    assert_eq!(cause["errorType"], "InvalidOrder");
    assert_eq!(
        cause["errorMessage"],
        "the order is invalid: line a has quantity 0"
    );
    Ok(())
}

#[tokio::test]
async fn retries_are_exercised_with_per_attempt_mocks() -> Result<(), TestError> {
    let run = test_run()
        .mock_responses(
            "ChargeCard",
            [
                Response::Throw {
                    error: "PaymentGatewayTimeout".into(),
                    cause: "slow".into(),
                },
                Response::Return(json!({"payment_id": "pay-mocked", "amount": 4200})),
            ],
        )
        .run(order("ada", 4200, &["a"]))
        .await?;
    assert_eq!(run.attempts("ChargeCard"), 2);
    assert_eq!(
        run.state_output("Fulfil").unwrap()["fulfilment"]["payment"]["payment_id"],
        "pay-mocked"
    );
    Ok(())
}

#[tokio::test]
async fn an_input_that_does_not_fit_the_step_fails_as_on_aws() -> Result<(), TestError> {
    let run = test_run()
        .run(json!({"id": "o-1", "total": 1, "lines": []}))
        .await?;
    run.assert_failed_with("Stepfn.InvalidInput");
    assert!(
        run.outcome.cause.as_deref().unwrap().contains("customer"),
        "{:?}",
        run.outcome.cause
    );
    Ok(())
}

#[tokio::test]
async fn a_service_task_without_a_mock_fails_naming_its_resource() -> Result<(), TestError> {
    let run = TestRun::<OrderPipeline>::new()
        .run(order("ada", 4200, &["a"]))
        .await?;
    run.assert_failed_with("States.Runtime");
    assert!(run
        .outcome
        .cause
        .as_deref()
        .unwrap()
        .contains("arn:aws:states:::dynamodb:putItem"));
    Ok(())
}

#[tokio::test]
async fn step_functions_local_mock_files_are_read() -> Result<(), TestError> {
    let config = r#"{
      "StateMachines": {"OrderPipeline": {"TestCases": {"Declined": {
        "ChargeCard": "Declined", "RecordShipment": "Recorded"}}}},
      "MockedResponses": {
        "Declined": {"0": {"Throw": {"Error": "CardDeclined", "Cause": "declined"}}},
        "Recorded": {"0": {"Return": {}}}}}"#;
    let run = TestRun::<OrderPipeline>::new()
        .mock_config(config, Some("OrderPipeline"), "Declined")
        .run(order("ada", 4200, &["a"]))
        .await?;
    run.assert_failed_with("OrderRejected");
    Ok(())
}

#[tokio::test]
async fn a_misspelled_mock_is_an_error_not_a_silent_real_call() {
    let error = TestRun::<OrderPipeline>::new()
        .mock_result("ChrageCard", json!({}))
        .run(order("ada", 4200, &["a"]))
        .await
        .expect_err("a mock of a state the workflow does not have");
    assert!(
        matches!(&error, TestError::Mock(MockConfigError::NotATaskState { state, .. }) if state == "ChrageCard"),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("did you mean `ChargeCard`"),
        "{error}"
    );
    let error = TestRun::<OrderPipeline>::new()
        .mock_config(include_str!("../mocks.json"), None, "HapyPath")
        .run(order("ada", 4200, &["a"]))
        .await
        .expect_err("a test case the mock file does not have");
    assert!(
        error.to_string().contains("did you mean `HappyPath`"),
        "{error}"
    );
}

#[tokio::test]
async fn the_examples_mock_file_runs_both_test_cases() -> Result<(), TestError> {
    let mocks = include_str!("../mocks.json");
    let happy = TestRun::<OrderPipeline>::new()
        .mock_config(mocks, None, "HappyPath")
        .run(order("ada", 4200, &["a"]))
        .await?;
    assert_eq!(happy.output()["trackingNumber"], "TRK-O-1");
    let slow = TestRun::<OrderPipeline>::new()
        .mock_config(mocks, None, "GatewaySlowOnce")
        .run(order("ada", 4200, &["a"]))
        .await?;
    assert_eq!(slow.attempts("ChargeCard"), 2);
    assert_eq!(slow.output()["parcels"], 2);
    Ok(())
}

mod jsonata {
    use super::*;
    use order_pipeline::OrderPipelineJsonata;

    fn test_run() -> TestRun<OrderPipelineJsonata> {
        TestRun::new()
    }

    #[tokio::test]
    async fn the_jsonata_variant_runs_with_variables_and_real_steps() -> Result<(), TestError> {
        let run = test_run().run(order("ada", 4200, &["a", "b"])).await?;
        assert_eq!(
            run.output(),
            &json!({"orderId": "o-1", "customer": "ada", "paymentId": "pay-o-1", "trackingNumber": "TRK-O-1", "parcels": 4})
        );
        run.assert_path(&[
            "ValidateOrder",
            "CheckAmount",
            "Fulfil",
            "ReserveStock",
            "ChargeCard",
            "PackLines",
            "PackItem",
            "PackItem",
            "ShipOrder",
            "Summarise",
            "Done",
        ]);
        Ok(())
    }

    #[tokio::test]
    async fn jsonata_catchers_hand_on_the_error_output() -> Result<(), TestError> {
        let mut invalid = order("ada", 4200, &["a"]);
        invalid.lines[0].quantity = 0;
        let run = test_run().run(invalid).await?;
        run.assert_failed_with("OrderRejected");
        assert!(run
            .outcome
            .cause
            .as_deref()
            .unwrap()
            .contains("InvalidOrder"));
        test_run()
            .run(order("ada", 4200, &["gone-1"]))
            .await?
            .assert_failed_with("OutOfStock");
        Ok(())
    }

    #[tokio::test]
    async fn large_orders_wait_and_the_choice_condition_is_jsonata() -> Result<(), TestError> {
        let run = test_run().run(order("ada", 250_000, &["a"])).await?;
        assert!(run.path().contains(&"HoldForReview".to_string()));
        assert_eq!(run.output()["parcels"], 2);
        Ok(())
    }
}

/// The README's "Testing workflows" example, as written there.
#[tokio::test]
async fn a_slow_gateway_is_retried() -> Result<(), TestError> {
    let order = Order {
        id: "o-1".into(),
        customer: "ada".into(),
        total: 4200,
        lines: vec![
            LineItem {
                sku: "a".into(),
                quantity: 12,
            },
            LineItem {
                sku: "b".into(),
                quantity: 12,
            },
        ],
        express: None,
    };
    let run = TestRun::<OrderPipeline>::new()
        .mock_result("RecordShipment", json!({})) // the DynamoDB task
        .mock_responses(
            "ChargeCard",
            [
                Response::Throw {
                    error: "PaymentGatewayTimeout".into(),
                    cause: "slow".into(),
                },
                Response::Return(json!({"payment_id": "p-1", "amount": 4200})),
            ],
        )
        .run(order)
        .await?;
    run.assert_path(&[
        "ValidateOrder",
        "CheckAmount",
        "Fulfil",
        "ReserveStock",
        "ChargeCard",
        "PackLines",
        "PackItem",
        "PackItem",
        "ShipOrder",
        "RecordShipment",
        "Summarise",
        "Done",
    ]);
    assert_eq!(run.attempts("ChargeCard"), 2);
    assert_eq!(run.output()["parcels"], 4);
    Ok(())
}

/// The README's `stepfn run` example: every Task state mocked by the `AllMocked` test case of `mocks.json`. The input
/// is JSON, read from the file: a `serde_json::Value` starts any workflow.
#[tokio::test]
async fn the_all_mocked_test_case_runs_the_whole_workflow() -> Result<(), TestError> {
    let order: Value = serde_json::from_str(include_str!("../order.json")).unwrap();
    let run = TestRun::<OrderPipeline>::new()
        .mock_config(include_str!("../mocks.json"), None, "AllMocked")
        .run(order)
        .await?;
    assert_eq!(
        run.output(),
        &json!({"orderId": "o-1", "trackingNumber": "TRK-MOCKED", "parcels": 1})
    );
    Ok(())
}
