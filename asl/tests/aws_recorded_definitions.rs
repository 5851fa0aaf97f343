//! Every definition in `../shared/conformance/aws-recorded.jsonl` ran on AWS Step Functions, so the validator must
//! accept each one and the typed model must hold it. (Skipped, with a notice, when the shared folder is not beside
//! the repository; a failure under `STEPFN_REQUIRE_TOOLS=1`.)

#[path = "../../tests/src/shared_data.rs"]
mod shared_data;

#[test]
fn every_definition_aws_ran_is_valid() {
    let Some(text) = shared_data::aws_recorded() else {
        return;
    };
    let mut checked = 0;
    let mut failures = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case: serde_json::Value = serde_json::from_str(line).unwrap();
        let definition = case["definition"].clone();
        let problems = match stepfn_asl::model::Definition::from_document(definition) {
            Ok(_) => Vec::new(),
            Err(problems) => problems,
        };
        checked += 1;
        if !problems.is_empty() {
            failures.push(format!(
                "{}: {}",
                case["id"],
                problems
                    .iter()
                    .map(|p| p.to_string())
                    .collect::<Vec<_>>()
                    .join("; ")
            ));
        }
    }
    assert!(checked > 0);
    assert!(
        failures.is_empty(),
        "{} of {checked} definitions rejected:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
