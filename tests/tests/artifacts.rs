//! The artifact contract: `cargo build` writes `target/stepfn/<Name>.asl.json`, pretty and deterministic, byte for
//! byte the definition the workflow type returns, valid for AWS's tools, and rewritten when deleted or edited.

use message_pipeline::MessagePipeline;
use order_pipeline::{OrderPipeline, OrderPipelineJsonata};
use std::process::Command;
use stepfn::Workflow;
use stepfn_tests::{asl_validator, assert_asl_validator_accepts, repo_root, target_dir};

/// Every example workflow: its name, its definition, and the definition with made-up real ARNs.
fn examples() -> Vec<(&'static str, &'static str, String)> {
    fn example<W: Workflow>() -> (&'static str, &'static str, String) {
        let placeholders = W::placeholders();
        let arns: Vec<(String, String)> = placeholders
            .iter()
            .map(|key| {
                (
                    key.clone(),
                    format!("arn:aws:lambda:us-east-1:123456789012:function:{key}"),
                )
            })
            .collect();
        let deployable =
            W::definition_with(arns.iter().map(|(k, v)| (k.as_str(), v.as_str()))).unwrap();
        (W::NAME, W::DEFINITION, deployable)
    }
    vec![
        example::<MessagePipeline>(),
        example::<OrderPipeline>(),
        example::<OrderPipelineJsonata>(),
    ]
}

fn artifact(name: &str) -> std::path::PathBuf {
    target_dir().join(format!("stepfn/{name}.asl.json"))
}

#[test]
fn example_definitions_match_their_snapshots() {
    for (name, definition, _) in examples() {
        insta::assert_snapshot!(format!("{name}.asl.json"), definition);
    }
}

#[test]
fn the_message_pipeline_is_the_seed_workflow() {
    let definition: serde_json::Value = serde_json::from_str(MessagePipeline::DEFINITION).unwrap();
    assert_eq!(
        definition,
        serde_json::json!({
            "Comment": "My Step Functions Workflow",
            "StartAt": "UppercaseMessage",
            "States": {
                "UppercaseMessage": { "Type": "Task", "Resource": "${UppercaseMessageFunctionArn}", "End": true }
            }
        })
    );
}

#[test]
fn the_order_pipeline_uses_every_state_type() {
    let definition: serde_json::Value = serde_json::from_str(OrderPipeline::DEFINITION).unwrap();
    let mut types = std::collections::BTreeSet::new();
    fn collect(value: &serde_json::Value, types: &mut std::collections::BTreeSet<String>) {
        if let Some(kind) = value.get("Type").and_then(|t| t.as_str()) {
            types.insert(kind.to_owned());
        }
        match value {
            serde_json::Value::Object(map) => map.values().for_each(|v| collect(v, types)),
            serde_json::Value::Array(items) => items.iter().for_each(|v| collect(v, types)),
            _ => {}
        }
    }
    collect(&definition, &mut types);
    let all = [
        "Choice", "Fail", "Map", "Parallel", "Pass", "Succeed", "Task", "Wait",
    ];
    let missing: Vec<&str> = all
        .iter()
        .copied()
        .filter(|t| !types.contains(*t))
        .collect();
    assert!(missing.is_empty(), "missing state types: {missing:?}");
}

#[test]
fn the_files_are_byte_identical_to_the_run_time_definitions() {
    for (name, definition, _) in examples() {
        let written =
            std::fs::read_to_string(artifact(name)).expect("cargo build wrote the artifact");
        assert_eq!(written, definition, "{name}");
        assert!(
            written.ends_with("}\n"),
            "pretty-printed with a final newline"
        );
    }
}

#[test]
fn the_definitions_are_valid_and_emitted_deterministically() {
    for (name, definition, _) in examples() {
        let document: serde_json::Value = serde_json::from_str(definition).unwrap();
        assert_eq!(stepfn_asl::validate_document(&document), vec![], "{name}");
        assert_eq!(
            stepfn_asl::to_pretty_json(&document),
            definition,
            "{name}: emission is deterministic"
        );
    }
}

#[test]
fn real_arns_replace_the_placeholders() {
    let arn = "arn:aws:lambda:eu-west-1:123456789012:function:uppercase";
    let rendered =
        MessagePipeline::definition_with([("UppercaseMessageFunctionArn", arn)]).unwrap();
    let definition: serde_json::Value = serde_json::from_str(&rendered).unwrap();
    assert_eq!(definition["States"]["UppercaseMessage"]["Resource"], arn);
    let missing = MessagePipeline::definition_with([]).unwrap_err();
    assert!(
        missing
            .to_string()
            .contains("${UppercaseMessageFunctionArn}"),
        "{missing}"
    );
    for (name, _, deployable) in examples() {
        assert!(
            !deployable.contains("${"),
            "{name}: every placeholder filled"
        );
    }
    let typo = MessagePipeline::definition_with([
        ("UppercaseMessageFunctionArn", arn),
        ("UppercaseMesageFunctionArn", arn),
    ]);
    assert!(typo
        .unwrap_err()
        .to_string()
        .contains("did you mean `UppercaseMessageFunctionArn`?"));
    let empty = MessagePipeline::definition_with([("UppercaseMessageFunctionArn", "")]);
    assert!(empty.unwrap_err().to_string().contains("no value given"));
}

#[test]
fn asl_validator_accepts_the_emitted_definitions() {
    let Some(validator) = asl_validator() else {
        return;
    };
    for (name, _, deployable) in examples() {
        let deployable_file = target_dir().join(format!("stepfn-test-{name}.deployable.asl.json"));
        std::fs::write(&deployable_file, deployable).unwrap();
        for (file, extra) in [
            (artifact(name), &["--no-arn-check"][..]),
            (deployable_file, &[][..]),
        ] {
            assert_asl_validator_accepts(&validator, &file, extra);
        }
    }
}

/// Deleting or editing the artifact and running `cargo build` again restores it. Uses its own target directory,
/// since the one running this test is locked by Cargo.
#[test]
fn cargo_build_regenerates_a_deleted_or_edited_artifact() {
    let target = target_dir().join("stepfn-regeneration-test");
    let file = target.join("stepfn/MessagePipeline.asl.json");
    let build = || {
        let status = Command::new(env!("CARGO"))
            .args(["build", "--quiet", "-p", "message-pipeline"])
            .current_dir(repo_root())
            .env("CARGO_TARGET_DIR", &target)
            .env_remove("STEPFN_OUT_DIR")
            .status()
            .unwrap();
        assert!(status.success());
    };
    build();
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        MessagePipeline::DEFINITION
    );

    std::fs::remove_file(&file).unwrap();
    build();
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        MessagePipeline::DEFINITION,
        "rewritten after deletion"
    );
    // The deployment template beside it is tracked the same way.
    let template = target.join("stepfn/MessagePipeline.template.json");
    std::fs::remove_file(&template).unwrap();
    build();
    assert_eq!(
        std::fs::read_to_string(&template).unwrap(),
        MessagePipeline::template().unwrap(),
        "the template is rewritten after deletion"
    );

    std::thread::sleep(std::time::Duration::from_millis(1100)); // a newer mtime than the last build, on any file system
    std::fs::write(&file, "{}").unwrap();
    build();
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        MessagePipeline::DEFINITION,
        "rewritten after an edit"
    );
}

/// Renaming (and moving) or deleting a workflow removes its old file, so no stale definition looks current. Checks
/// a scratch crate three times, in a target directory of its own (the one running this test is locked).
#[test]
fn renaming_or_deleting_a_workflow_removes_its_old_definition() {
    let rustc = Command::new("rustc").arg("--version").output().unwrap();
    let minor: Option<u32> = String::from_utf8_lossy(&rustc.stdout)
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.split('.').nth(1)?.parse().ok());
    if minor.is_some_and(|m| m < 88) {
        eprintln!("skipped: proc macros see where a name is written from rustc 1.88 on");
        return;
    }
    let root = target_dir().join("stepfn-rename-test");
    let krate = root.join("scratch");
    std::fs::create_dir_all(krate.join("src")).unwrap();
    let manifest = format!(
        "[package]\nname = \"rename-scratch\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
         [dependencies]\nstepfn = {{ path = {:?} }}\n\n[workspace]\n",
        repo_root().join("runtime")
    );
    std::fs::write(krate.join("Cargo.toml"), manifest).unwrap();
    std::fs::copy(repo_root().join("Cargo.lock"), krate.join("Cargo.lock")).unwrap();
    let source = |names: &[&str]| {
        let workflows: String = names
            .iter()
            .map(|name| format!("stepfn::workflow! {{\n    pub {name};\n    ship -> end;\n}}\n"))
            .collect();
        format!(
            "#[stepfn::step]\npub async fn ship(order: u32) -> Result<u32, std::convert::Infallible> {{ Ok(order) }}\n\n{workflows}"
        )
    };
    let out = root.join("target/stepfn");
    let check = |names: &[&str]| {
        std::fs::write(krate.join("src/lib.rs"), source(names)).unwrap();
        let status = Command::new(env!("CARGO"))
            .args(["check", "--quiet", "--offline"])
            .current_dir(&krate)
            .env("CARGO_TARGET_DIR", root.join("target"))
            .env_remove("STEPFN_OUT_DIR")
            .status()
            .unwrap();
        assert!(status.success());
        std::thread::sleep(std::time::Duration::from_millis(1100)); // a newer mtime for the next edit, on any file system
    };
    let _ = std::fs::remove_dir_all(&out);
    let present = |name: &str| out.join(format!("{name}.asl.json")).is_file();
    check(&["Kept", "OldName"]);
    assert!(present("Kept") && present("OldName"));

    // Renamed, and moved down (a workflow added above it): the old name's definition goes.
    check(&["Kept", "Added", "NewName"]);
    assert!(present("NewName") && present("Added") && present("Kept"));
    assert!(
        !present("OldName"),
        "the renamed workflow's old definition is gone"
    );

    // Deleted from the source: its definition goes too.
    check(&["Kept", "NewName"]);
    assert!(
        !present("Added"),
        "the deleted workflow's definition is gone"
    );
    assert!(present("Kept") && present("NewName"));
}
