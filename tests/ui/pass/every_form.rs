// Valid: steps by module path, explicit Task declarations, Pass/Succeed/Fail states, string state names, top-level
// fields, a step reused under a second name, and chains that continue states declared elsewhere.
use stepfn::Workflow;

mod steps {
    use std::convert::Infallible;

    #[stepfn::step]
    pub async fn check(n: i64) -> Result<i64, Infallible> { Ok(n) }

    #[stepfn::step]
    pub(crate) async fn double(n: i64) -> Result<i64, Infallible> { Ok(n * 2) }
}

stepfn::workflow! {
    pub(crate) Numbers {
        Comment: "Numbers",
        Version: "1.0",
        TimeoutSeconds: 60,
    }

    steps::check -> Defaults: Pass { Result: { "n": 1, "tags": ["a", "b"], "ratio": -0.5, "none": null } } -> Again;
    Again: Task(steps::double) { Comment: "the second doubling" } -> steps::double -> "All done";
    "All done": Succeed;
}

stepfn::workflow! {
    Failing;
    steps::check -> Broken;
    Broken: Fail { Error: "Broken", Cause: "always" };
}

fn main() {
    let definition: serde_json::Value = serde_json::from_str(Numbers::DEFINITION).unwrap();
    assert_eq!(definition["StartAt"], "Check");
    assert_eq!(definition["States"]["Again"]["Next"], "Double");
    assert_eq!(definition["States"]["Double"]["Next"], "All done");
    assert_eq!(definition["States"]["Defaults"]["Result"]["ratio"], -0.5);
    assert_eq!(Numbers::placeholders(), ["CheckFunctionArn", "DoubleFunctionArn"]);
    assert_eq!(Failing::DEFINITION, <Failing as Workflow>::DEFINITION);
}
