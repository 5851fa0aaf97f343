//! Compile-time contract of `#[step]` and `workflow!`: every valid form compiles, every rule rejects its mistake with
//! a message at the token to change. One rule per file in `ui/fail`, its `.stderr` reviewed in the diff. The
//! definitions the valid forms emit are snapshotted too, and checked by asl-validator.

use std::path::{Path, PathBuf};

/// The workflows declared in `ui/pass`, whose emitted definitions are snapshotted.
const PASS_WORKFLOWS: &[&str] = &[
    "AcceptsForms",
    "ChainForms",
    "ErrorNames",
    "Failing",
    "Forms",
    "Numbers",
];

#[test]
fn ui() {
    // trybuild builds its cases in a target directory of its own, without the workspace's profiles: no debug info
    // there keeps those binaries (each links the whole runtime) a fraction of the size.
    if std::env::var_os("CARGO_PROFILE_DEV_DEBUG").is_none() {
        std::env::set_var("CARGO_PROFILE_DEV_DEBUG", "false");
    }
    {
        let cases = trybuild::TestCases::new();
        cases.pass("ui/pass/*.rs");
        cases.compile_fail("ui/fail/*.rs");
        // Dropping `cases` runs them.
    }
    let root = stepfn_tests::target_dir().join("tests/trybuild");
    for name in PASS_WORKFLOWS {
        let file = find(&root, &format!("{name}.asl.json")).unwrap_or_else(|| {
            panic!(
                "the pass cases wrote no {name}.asl.json under {}",
                root.display()
            )
        });
        let definition = std::fs::read_to_string(&file).unwrap();
        insta::assert_snapshot!(format!("ui-pass-{name}.asl.json"), definition);
        if let Some(validator) = stepfn_tests::asl_validator() {
            stepfn_tests::assert_asl_validator_accepts(&validator, &file, &["--no-arn-check"]);
        }
    }
}

/// The file named `name` in a `stepfn` folder below `dir`.
fn find(dir: &Path, name: &str) -> Option<PathBuf> {
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let path = entry.path();
        if path.is_dir() {
            let candidate = path.join("stepfn").join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
            if let Some(found) = find(&path, name) {
                return Some(found);
            }
        }
    }
    None
}
