//! `stepfn validate` as users run it: exit 0 for valid files, 1 with each problem and its pointer, 2 for files that
//! cannot be read or are not JSON.

use std::process::Command;

fn run(files: &[(&str, &str)]) -> (i32, String, String) {
    let dir = std::env::temp_dir().join(format!("stepfn-cli-validate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let paths: Vec<_> = files
        .iter()
        .map(|(name, text)| {
            let path = dir.join(name);
            std::fs::write(&path, text).unwrap();
            path
        })
        .collect();
    let output = Command::new(env!("CARGO_BIN_EXE_stepfn"))
        .arg("validate")
        .args(&paths)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

const VALID: &str =
    r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Succeed"}}}"#;

#[test]
fn valid_files_exit_0() {
    let (code, stdout, _) = run(&[("ok.asl.json", VALID)]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("ok.asl.json: valid"));
}

#[test]
fn invalid_files_exit_1_listing_each_problem_with_its_pointer() {
    let bad = r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Bb"}, "B": {"Type": "Succeed"}, "B": {"Type": "Succeed"}}}"#;
    let (code, stdout, _) = run(&[("ok.asl.json", VALID), ("bad.asl.json", bad)]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("/States/B: `B` appears twice"), "{stdout}");
    assert!(
        stdout.contains("/States/A/Next: there is no state named `Bb` here; did you mean `B`?"),
        "{stdout}"
    );
}

#[test]
fn unreadable_or_non_json_files_exit_2() {
    let (code, _, stderr) = run(&[("broken.asl.json", "{ not json")]);
    assert_eq!(code, 2);
    assert!(stderr.contains("broken.asl.json: not JSON"), "{stderr}");
    let output = Command::new(env!("CARGO_BIN_EXE_stepfn"))
        .args(["validate", "/nonexistent/x.json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

/// A hand-written pipeline of eleven states, pretty-printed as people write them.
fn pipeline(first_next: &str) -> String {
    let mut states = vec![format!(
        "    \"Validate\": {{\n      \"Type\": \"Pass\",\n      \"Next\": \"{first_next}\"\n    }}"
    )];
    let names = [
        "Reserve", "Charge", "Pack", "Ship", "Notify", "Invoice", "Archive", "Audit", "Close",
    ];
    for pair in names.windows(2) {
        states.push(format!(
            "    \"{}\": {{\n      \"Type\": \"Pass\",\n      \"Next\": \"{}\"\n    }}",
            pair[0], pair[1]
        ));
    }
    states.push("    \"Close\": {\n      \"Type\": \"Succeed\"\n    }".into());
    format!(
        "{{\n  \"StartAt\": \"Validate\",\n  \"States\": {{\n{}\n  }}\n}}\n",
        states.join(",\n")
    )
}

#[test]
fn one_bad_next_is_one_problem_at_its_line_and_column() {
    let (code, stdout, _) = run(&[("pipeline.asl.json", &pipeline("Reserve"))]);
    assert_eq!(code, 0, "{stdout}");
    let (code, stdout, _) = run(&[("one-typo.asl.json", &pipeline("Reserv"))]);
    assert_eq!(code, 1, "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "one problem and the count: {stdout}");
    assert!(
        lines[0].ends_with("one-typo.asl.json:6:15: error: /States/Validate/Next: there is no state named `Reserv` here; did you mean `Reserve`?"),
        "{stdout}"
    );
    assert!(
        lines[1].ends_with("one-typo.asl.json: 1 problem(s)"),
        "{stdout}"
    );
}

#[test]
fn a_loop_closed_by_a_default_is_one_problem_at_the_default() {
    let text = r#"{
  "StartAt": "Check",
  "States": {
    "Check": { "Type": "Pass", "Next": "Route" },
    "Route": {
      "Type": "Choice",
      "Choices": [{ "Variable": "$.ready", "BooleanEquals": false, "Next": "Pause" }],
      "Default": "Pause"
    },
    "Pause": { "Type": "Wait", "Seconds": 5, "Next": "Check" },
    "Ship": { "Type": "Pass", "Next": "Done" },
    "Done": { "Type": "Succeed" }
  }
}"#;
    let (code, stdout, _) = run(&[("loop.asl.json", text)]);
    assert_eq!(code, 1, "{stdout}");
    let errors: Vec<&str> = stdout.lines().filter(|l| l.contains(": error: ")).collect();
    assert_eq!(errors.len(), 1, "{stdout}");
    assert!(
        errors[0].contains("loop.asl.json:8:18: error: /States/Route/Default: this `Default` closes a loop with no way out"),
        "{stdout}"
    );
    assert!(errors[0].contains("such as `Ship`"), "{stdout}");
}

#[test]
fn problems_are_listed_in_document_order_with_missing_fields_at_their_object() {
    let text = "{\n  \"States\": {\n    \"B\": { \"Type\": \"Pass\", \"Next\": \"A\", \"Extra\": 1 },\n    \"A\": { \"Next\": \"B\" }\n  },\n  \"StartAt\": \"B\"\n}";
    let (code, stdout, _) = run(&[("order.asl.json", text)]);
    assert_eq!(code, 1, "{stdout}");
    let places: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.split_once(": error: ").map(|(place, _)| place))
        .map(|l| l.rsplit('/').next().unwrap_or(l))
        .collect();
    assert_eq!(
        places,
        ["order.asl.json:3:50", "order.asl.json:4:10"],
        "{stdout}"
    );
}
