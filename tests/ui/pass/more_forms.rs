// Valid: forms beyond the order pipeline: a Choice without Default (documented in the definition), JSONata states
// with Assign, a distributed Map with ItemReader, ItemBatcher and tolerated failures, Wait on a timestamp path,
// Fail with an intrinsic ErrorPath, a Task over a service integration with Credentials.
use std::convert::Infallible;

#[stepfn::step]
async fn score(n: i64) -> Result<i64, Infallible> { Ok(n) }

#[stepfn::step]
async fn handle_batch(batch: serde_json::Value) -> Result<serde_json::Value, Infallible> { Ok(batch) }

stepfn::workflow! {
    Forms { Comment: "more forms", Version: "1.0" }

    score -> Route;
    Route: Choice {
        Choices: [
            { Variable: "$.kind", StringEquals: "batch", Next: Batch },
            { Not: { Variable: "$.when", IsTimestamp: true }, Next: Compute },
            { Variable: "$.when", TimestampLessThanPath: "$$.Execution.StartTime", Next: WaitUntil },
        ],
    };
    WaitUntil: Wait { TimestampPath: "$.when" } -> Compute;
    Compute: Pass {
        QueryLanguage: "JSONata",
        Assign: { "total": "{% $states.input.a + $states.input.b %}" },
        Output: { "sum": "{% $states.input.a + $states.input.b %}" },
    } -> Save;
    Save: Task("arn:aws:states:::dynamodb:putItem") {
        Credentials: { RoleArn: "arn:aws:iam::123456789012:role/writer" },
        Parameters: { TableName: "results", Item: { "sum": { "N.$": "States.JsonToString($.sum)" } } },
        ResultPath: null,
    } -> end;
    Batch: Map {
        ItemReader: {
            Resource: "arn:aws:states:::s3:getObject",
            ReaderConfig: { InputType: "JSON", MaxItems: 1000 },
            Parameters: { Bucket: "inputs", Key: "items.json" },
        },
        ItemBatcher: { MaxItemsPerBatch: 50 },
        ItemProcessor: {
            ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "EXPRESS" },
            handle_batch -> end;
        },
        Label: "batches",
        ToleratedFailurePercentage: 5,
        Catch: [{ ErrorEquals: ["States.ExceedToleratedFailureThreshold"], Next: "Too many failures" }],
    } -> end;
    "Too many failures": Fail { ErrorPath: "States.Format('{}', $.Error)", CausePath: "$.Cause" };
}

fn main() {
    let definition: serde_json::Value = serde_json::from_str(Forms::DEFINITION).unwrap();
    let route = &definition["States"]["Route"];
    assert!(route.get("Default").is_none());
    assert!(route["Comment"].as_str().unwrap().contains("States.NoChoiceMatched"));
    assert_eq!(definition["States"]["Compute"]["QueryLanguage"], "JSONata");
    assert_eq!(definition["States"]["Batch"]["ItemProcessor"]["StartAt"], "HandleBatch");
}
