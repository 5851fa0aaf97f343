// Valid: workflows AWS accepts that stepfn used to refuse (issue 10): `Parameters`, `ResultSelector` and
// `ItemSelector` that are arrays or strings, JSONata without spaces inside `{% %}`, a string that only ends in `%}`,
// a Lambda ARN with a version qualifier, non-ASCII variable names, a JSONPath state inside a JSONata Parallel of a
// JSONPath machine.
use std::convert::Infallible;

#[stepfn::step]
async fn validate_order(order: serde_json::Value) -> Result<serde_json::Value, Infallible> { Ok(order) }

stepfn::workflow! {
    AwsAccepts;
    validate_order {
        Parameters: [{ "id.$": "$.id" }, "$.id", 3],
        ResultSelector: [{ "first.$": "$[0]" }],
    } -> Literal;
    Literal: Pass { Parameters: "$.not_a_path", ResultPath: "$.literal" } -> Versioned;
    Versioned: Task("arn:aws:lambda:us-east-1:123456789012:function:charge:$LATEST") -> Each;
    Each: Map {
        ItemSelector: [{ "value.$": "$$.Map.Item.Value" }],
        ItemProcessor: { Item: Pass -> end; },
    } -> Remember;
    Remember: Pass { Assign: { "größe": 1 } } -> Mixed;
    Mixed: Parallel {
        QueryLanguage: "JSONata",
        Output: { "ten": "{%10%}", "text": "not an expression %}" },
        Branches: [
            { Old: Pass { QueryLanguage: "JSONPath", InputPath: "$" } -> end; },
        ],
    } -> end;
}

fn main() {
    let definition: serde_json::Value = serde_json::from_str(AwsAccepts::DEFINITION).unwrap();
    assert_eq!(definition["States"]["ValidateOrder"]["Parameters"][1], "$.id");
    assert_eq!(definition["States"]["Literal"]["Parameters"], "$.not_a_path");
    assert_eq!(definition["States"]["Mixed"]["Output"]["ten"], "{%10%}");
}
