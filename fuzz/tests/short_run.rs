//! The short run CI makes: every target for a fixed number of cases from a fixed seed (so a run repeats exactly),
//! in a debug build (so arithmetic overflow panics too). Fails on any panic, crash or hang.
//!
//! `STEPFN_FUZZ_CASES`, `STEPFN_FUZZ_SEED` and `STEPFN_FUZZ_SECONDS` change the size, seed and time cap per target.
//! Needs `../shared` (the seeds): skipped with a notice when it is missing, a failure under `STEPFN_REQUIRE_TOOLS=1`.

use serde_json::Value;
use std::process::Command;
use stepfn_fuzz::corpus::default_shared_dir;

fn env_or(key: &str, default: &str) -> String {
    std::env::var(key).unwrap_or_else(|_| default.to_owned())
}

/// Runs the harness; its summary.
fn run(targets: &str, cases: &str) -> Value {
    let out = std::env::temp_dir().join(format!("stepfn-fuzz-test-{}", std::process::id()));
    let output = Command::new(env!("CARGO_BIN_EXE_stepfn-fuzz"))
        .args(["--target", targets, "--cases", cases])
        .args(["--seconds", &env_or("STEPFN_FUZZ_SECONDS", "20")])
        .args(["--seed", &env_or("STEPFN_FUZZ_SEED", "1")])
        .args([
            "--minimize-seconds",
            "0.25",
            "--max-len",
            "65536",
            "--case-timeout",
            "30",
            "--json",
        ])
        .arg("--out")
        .arg(&out)
        .output()
        .expect("the harness runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let (report, last) = stdout
        .trim_end()
        .rsplit_once('\n')
        .unwrap_or(("", stdout.trim_end()));
    println!("{report}");
    eprintln!("{}", String::from_utf8_lossy(&output.stderr));
    let _ = std::fs::remove_dir_all(&out);
    let summary: Value = serde_json::from_str(last).expect("the last line is the JSON summary");
    summary["summary"].clone()
}

#[test]
fn short_run_finds_nothing_new() {
    let shared = default_shared_dir();
    if !shared.join("conformance/aws-recorded.jsonl").is_file() {
        let required = std::env::var("STEPFN_REQUIRE_TOOLS").is_ok_and(|v| v == "1");
        assert!(
            !required,
            "{} is missing (the fuzz seeds; STEPFN_REQUIRE_TOOLS=1)",
            shared.display()
        );
        println!(
            "NOTICE: {} not found; the fuzz run is skipped",
            shared.display()
        );
        return;
    }
    let cases = env_or("STEPFN_FUZZ_CASES", "");
    let (most, jsonata) = if cases.is_empty() {
        ("1000".to_owned(), "2000".to_owned())
    } else {
        (cases.clone(), cases)
    };
    let summaries = [
        run("jsonpath,intrinsic,timestamp,validator,machine,mock", &most),
        run("jsonata", &jsonata),
    ];
    let mut problems = Vec::new();
    for summary in &summaries {
        for target in summary["targets"].as_array().expect("targets") {
            if target["cases"].as_u64().unwrap_or(0) == 0 {
                problems.push(format!("target {} ran no case", target["name"]));
            }
        }
        for finding in summary["findings"].as_array().expect("findings") {
            problems.push(format!(
                "{} {} at {}: {} (repro: {})",
                finding["target"],
                finding["kind"],
                finding["location"],
                finding["message"],
                finding["parts"]
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "the short fuzz run found:\n{}",
        problems.join("\n")
    );
}
