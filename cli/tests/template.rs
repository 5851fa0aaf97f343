//! `stepfn template FILE` prints the deployment template of an ASL file: each `${<Key>FunctionArn}` placeholder
//! becomes a function with handler `<key>` (snake case), the rest parameters. Exit 2 on a file it cannot use.

use std::path::Path;
use std::process::Command;

fn stepfn(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_stepfn"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn prints_the_template_of_an_asl_file() {
    let file =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/templates/Integrations.asl.json");
    let output = stepfn(&["template", file.to_str().unwrap()]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let definition = std::fs::read_to_string(&file).unwrap();
    let expected = stepfn_template::cloudformation_for_asl("Integrations", &definition).unwrap();
    assert_eq!(String::from_utf8(output.stdout).unwrap(), expected);

    let named = stepfn(&["template", file.to_str().unwrap(), "--name", "Orders"]);
    let template: serde_json::Value = serde_json::from_slice(&named.stdout).unwrap();
    assert_eq!(template["Metadata"]["stepfn"]["Workflow"], "Orders");
    assert_eq!(
        template["Resources"]["ValidateOrderFunction"]["Properties"]["Handler"],
        "validate_order"
    );
}

#[test]
fn an_invalid_or_missing_file_exits_2() {
    let dir = std::env::temp_dir().join(format!("stepfn-cli-template-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("Bad.asl.json");
    std::fs::write(&bad, r#"{"StartAt": "Missing", "States": {}}"#).unwrap();
    let output = stepfn(&["template", bad.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("the definition is not valid"));
    let missing = stepfn(&["template", dir.join("none.asl.json").to_str().unwrap()]);
    assert_eq!(missing.status.code(), Some(2));
}
