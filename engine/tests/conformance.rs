//! Runs the executions AWS recorded (`shared/conformance/aws-recorded.jsonl`, see its README) and compares each
//! outcome with AWS's: same output for a success, same error name for a failure. Prints pass counts per area and
//! every failing case; at least 99% of the JSONPath cases and 97% of the JSONata cases must pass (all but one of
//! 37 today). Without the file the test skips, or fails under `STEPFN_REQUIRE_TOOLS=1`.

#[path = "../../tests/src/shared_data.rs"]
mod shared_data;

use serde_json::Value;
use std::collections::BTreeMap;
use stepfn_engine::{Machine, Options, Status};

/// The least share of each query language's cases that must pass, in percent.
const REQUIRED: [(&str, usize); 2] = [("jsonpath", 99), ("jsonata", 97)];

fn cases() -> Option<Vec<Value>> {
    let text = shared_data::aws_recorded()?;
    Some(
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).unwrap())
            .collect(),
    )
}

/// The area of a case: the folder of its source test (`choice_operators`, `intrinsic_functions`, `scenarios`, ...).
fn area(id: &str) -> String {
    let file = id.split("::").next().unwrap_or(id);
    let parts: Vec<&str> = file.split('/').collect();
    match parts.len() {
        n if n >= 2 && parts[n - 2] != "v2" => parts[n - 2].to_string(),
        n => parts[n - 1].trim_end_matches(".py").to_string(),
    }
}

/// Runs a case; `Err` says how it differed from AWS.
async fn check(case: &Value) -> Result<(), String> {
    let machine = Machine::from_json(&case["definition"].to_string()).map_err(|e| e.to_string())?;
    let options = Options {
        virtual_time: true,
        seed: Some(7),
        ..Options::default()
    };
    let outcome = machine.run(case["input"].clone(), &options).await;
    let expected = &case["expected"];
    match expected["status"].as_str() {
        Some("SUCCEEDED") if outcome.status == Status::Succeeded => {
            if outcome.output.as_ref() == Some(&expected["output"]) {
                Ok(())
            } else {
                Err(format!(
                    "output {} but AWS gave {}",
                    outcome.output.unwrap_or_default(),
                    expected["output"]
                ))
            }
        }
        Some("FAILED") if outcome.status == Status::Failed => {
            if outcome.error.as_deref() == expected["error"].as_str() {
                Ok(())
            } else {
                Err(format!(
                    "error {:?} but AWS gave {}",
                    outcome.error, expected["error"]
                ))
            }
        }
        _ => Err(format!("{} but AWS gave {}", outcome.summary(), expected)),
    }
}

#[tokio::test]
async fn aws_recorded_executions() {
    let Some(cases) = cases() else { return };
    // (language, area) -> (passed, total)
    let mut counts: BTreeMap<(String, String), (usize, usize)> = BTreeMap::new();
    let mut failures = Vec::new();
    for case in &cases {
        let language = case["query_language"]
            .as_str()
            .unwrap_or("jsonpath")
            .to_string();
        let id = case["id"].as_str().unwrap_or_default();
        let entry = counts.entry((language.clone(), area(id))).or_default();
        entry.1 += 1;
        match check(case).await {
            Ok(()) => entry.0 += 1,
            Err(why) => failures.push((language, id.to_string(), why)),
        }
    }
    let mut totals: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for ((language, area), (passed, total)) in &counts {
        println!("{language:>8} {area:<24} {passed:>4} / {total}");
        let t = totals.entry(language.clone()).or_default();
        t.0 += passed;
        t.1 += total;
    }
    for (language, (passed, total)) in &totals {
        println!(
            "{language:>8} {:<24} {passed:>4} / {total} ({:.1}%)",
            "TOTAL",
            *passed as f64 * 100.0 / *total as f64
        );
    }
    for (language, id, why) in &failures {
        println!(
            "FAIL [{language}] {id}\n     {}",
            why.chars().take(400).collect::<String>()
        );
    }
    for (language, percent) in REQUIRED {
        let (passed, total) = totals.get(language).copied().unwrap_or((0, 0));
        assert!(total > 0, "the recorded cases hold no {language} case");
        assert!(
            passed * 100 >= total * percent,
            "{passed} of {total} {language} cases pass; at least {percent}% must"
        );
    }
}
