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
