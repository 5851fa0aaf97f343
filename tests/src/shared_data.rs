//! The project's shared test data in `../shared`, beside the repository (the executions AWS recorded, the JSONata
//! reference suite), and the rule for what a test does without it or without a tool: skip with a notice, or fail
//! under `STEPFN_REQUIRE_TOOLS=1` (which `scripts/test` and CI set), so a run meant to check everything cannot pass
//! by checking nothing.
//!
//! Std only, so the tests of every crate can use it: `stepfn-tests` exports it, and the other crates' tests include
//! this file with `#[path = "../../tests/src/shared_data.rs"] mod shared_data;`.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// Whether a missing tool or shared file fails the test (`STEPFN_REQUIRE_TOOLS=1`) instead of skipping it.
pub fn required() -> bool {
    std::env::var("STEPFN_REQUIRE_TOOLS").is_ok_and(|v| v == "1")
}

/// Says that the test is skipped and why; under `STEPFN_REQUIRE_TOOLS=1`, fails it instead.
#[track_caller]
pub fn skip_or_fail(why: &str) {
    if required() {
        panic!("{why}; STEPFN_REQUIRE_TOOLS=1 makes this a failure, not a skip");
    }
    eprintln!("SKIPPED: {why}");
}

/// `../shared/<relative>` beside the repository, if it exists; otherwise [`skip_or_fail`] and `None`.
#[track_caller]
pub fn shared_path(relative: &str) -> Option<PathBuf> {
    // Every crate of the workspace is one folder below the repository root.
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared")
        .join(relative);
    if path.exists() {
        return Some(path);
    }
    skip_or_fail(&format!(
        "{} is missing: the project's shared folder sits beside the repository",
        path.display()
    ));
    None
}

/// The text of `../shared/<relative>`, as [`shared_path`] finds it.
#[track_caller]
pub fn read_shared(relative: &str) -> Option<String> {
    let path = shared_path(relative)?;
    Some(
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display())),
    )
}

/// The cases AWS recorded (`../shared/conformance/aws-recorded.jsonl`), one JSON text per line.
#[track_caller]
pub fn aws_recorded() -> Option<String> {
    read_shared("conformance/aws-recorded.jsonl")
}
