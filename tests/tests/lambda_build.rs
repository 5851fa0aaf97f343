//! What `cargo lambda build` puts in the binary that runs in Lambda: each workflow crate forwards stepfn's `local`
//! feature as its default and tells cargo-lambda to build without default features, and without `local` nothing
//! pulls in the local executor, JSONata, the ASL model, clap or the AWS SDK (stepfn's `aws` feature, also a default
//! feature of the workflow crates). (`lambda_emulator.rs` runs the binary cargo-lambda
//! builds; `bench/size.sh` measures it.)

use serde_json::Value;
use std::process::Command;
use stepfn_tests::repo_root;

const WORKFLOW_CRATES: [&str; 2] = ["message-pipeline", "order-pipeline"];

fn cargo(args: &[&str]) -> String {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(args)
        .current_dir(repo_root())
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo {args:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("cargo prints UTF-8")
}

#[test]
fn workflow_crates_tell_cargo_lambda_to_leave_local_out() {
    let metadata: Value =
        serde_json::from_str(&cargo(&["metadata", "--format-version", "1", "--no-deps"])).unwrap();
    for name in WORKFLOW_CRATES {
        let package = metadata["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("no package {name}"));
        // `local` and `aws` are default features (and `deploy` may be): all of them left out of the Lambda build.
        let defaults: Vec<&str> = package["features"]["default"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(serde_json::Value::as_str)
            .collect();
        assert!(
            defaults.starts_with(&["local", "aws"])
                && defaults
                    .iter()
                    .all(|f| ["local", "aws", "deploy"].contains(f)),
            "{name}: default features {defaults:?}"
        );
        if defaults.contains(&"deploy") {
            assert_eq!(
                package["features"]["deploy"],
                serde_json::json!(["stepfn/deploy"]),
                "{name}"
            );
        }
        assert_eq!(
            package["features"]["aws"],
            serde_json::json!(["stepfn/aws"]),
            "{name}"
        );
        assert_eq!(
            package["features"]["local"],
            serde_json::json!(["stepfn/local"]),
            "{name}"
        );
        assert_eq!(
            package["metadata"]["lambda"]["build"]["no_default_features"], true,
            "{name}: [package.metadata.lambda.build] no_default_features"
        );
    }
}

#[test]
fn without_local_nothing_pulls_in_the_executor_jsonata_or_clap() {
    for name in WORKFLOW_CRATES {
        let tree = |features: &[&str]| {
            let mut args = vec!["tree", "-p", name, "-e", "normal,no-proc-macro"];
            args.extend(features);
            args.extend(["--prefix", "none", "--format", "{p}"]);
            cargo(&args)
        };
        let lean = tree(&["--no-default-features"]);
        for heavy in [
            "stepfn-engine",
            "stepfn-jsonata",
            "stepfn-asl",
            "clap",
            "fancy-regex",
            "stepfn-serve",
            "axum",
            "rusqlite",
            "stepfn-aws",
            "aws-sdk-sfn",
            "aws-config",
            "aws-sdk-s3",
            "aws-sdk-cloudformation",
            "rustls",
        ] {
            assert!(
                !lean
                    .lines()
                    .any(|line| line.starts_with(&format!("{heavy} "))),
                "{name} without `local` depends on {heavy}:\n{lean}"
            );
        }
        assert!(lean.lines().any(|line| line.starts_with("lambda_runtime ")));
        let full = tree(&[]);
        assert!(
            full.lines().any(|line| line.starts_with("stepfn-engine ")),
            "{name} with its default features runs locally:\n{full}"
        );
        assert!(
            full.lines().any(|line| line.starts_with("aws-sdk-sfn ")),
            "{name} with its default features starts executions on AWS:\n{full}"
        );
    }
}
