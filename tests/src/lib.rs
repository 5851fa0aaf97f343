//! Shared helpers of stepfn's end-to-end tests: where the build put things, and the external tools the tests run
//! against (cargo-lambda, asl-validator), installed by `scripts/test` into `.tools/`.

pub mod shared_data;

use std::path::{Path, PathBuf};

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ lives in the repository")
        .to_path_buf()
}

/// The Cargo target directory this test was built into: the nearest ancestor of the test binary holding Cargo's
/// `CACHEDIR.TAG` (the same rule the `workflow!` macro uses).
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary has a path");
    exe.ancestors()
        .find(|dir| dir.join("CACHEDIR.TAG").is_file())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| repo_root().join("target"))
}

/// The first of `candidates` that exists; otherwise skip (print a notice, return `None`) or, when tools are
/// required (`STEPFN_REQUIRE_TOOLS=1`), panic with what to install.
pub fn find_tool(name: &str, candidates: &[PathBuf]) -> Option<PathBuf> {
    if let Some(found) = candidates.iter().find(|p| p.is_file()) {
        return Some(found.clone());
    }
    let message = format!(
        "{name} not found (looked at {}); run `scripts/test` to install it into .tools/",
        candidates
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    shared_data::skip_or_fail(&message);
    None
}

/// `asl-validator` from npm, as installed by `scripts/test`, or from `STEPFN_ASL_VALIDATOR`.
pub fn asl_validator() -> Option<PathBuf> {
    let mut candidates: Vec<PathBuf> = std::env::var_os("STEPFN_ASL_VALIDATOR")
        .map(PathBuf::from)
        .into_iter()
        .collect();
    candidates.push(repo_root().join(".tools/node/node_modules/.bin/asl-validator"));
    find_tool("asl-validator", &candidates)
}

/// Runs asl-validator on `file` (with `extra` flags such as `--no-arn-check`) and fails with its report unless it
/// accepts the file.
#[track_caller]
pub fn assert_asl_validator_accepts(validator: &Path, file: &Path, extra: &[&str]) {
    let output = std::process::Command::new(validator)
        .arg("--json-path")
        .arg(file)
        .args(extra)
        .output()
        .expect("asl-validator runs");
    let report = String::from_utf8_lossy(&output.stdout).to_string()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "asl-validator rejected {}:\n{report}",
        file.display()
    );
}
