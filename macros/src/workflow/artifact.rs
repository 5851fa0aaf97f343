//! The build artifact: `target/stepfn/<Name>.asl.json`, and what keeps a renamed workflow's old file from
//! looking current.
//!
//! The directory is `STEPFN_OUT_DIR` when set; otherwise `stepfn/` in the Cargo target directory, found from the
//! `--out-dir` rustc was given (which honours `CARGO_TARGET_DIR` and `build.target-dir`: the target directory is
//! the nearest ancestor holding Cargo's `CACHEDIR.TAG`), then `CARGO_TARGET_DIR`, then `target/` of the workspace.
//! The file is rewritten only when its bytes change, so builds stay incremental.
//!
//! **Renamed workflows.** Beside each file, `.origin/<Name>.json` records where the workflow's name is written:
//! its source file, line and column. When a workflow is expanded, any other workflow recorded at the same place
//! is one that this place used to produce (the name written there was changed): its file and record are removed.
//! Why this rule, and why it is safe:
//!
//! - A macro sees one invocation, never the whole crate, and has no hook at the end of a compilation, so "every
//!   name this crate no longer produces" cannot be known; the place of the name can, and at one place there is one
//!   name at a time.
//! - The place is used only when the name is a token written in the source (its span as wide as its text): a name
//!   made by another macro may share its place with other names, and is never cleaned up after.
//! - Removing a file that is still produced (another workflow's name shifted onto this place, and its record is
//!   older) costs nothing lasting: that workflow's own expansion writes its file again before its `include_str!`
//!   reads it, and rustc's tracking of the file rebuilds the crate once. The one race is two compilations of the
//!   same source at the same instant (a library and its tests) in which a name shifted onto another's place: a
//!   removal between one's check and its `include_str!` fails that compilation once, and the next build passes.
//! - The place needs rustc 1.88 or later (where proc macros can read a span's file, line and column) in a real
//!   compilation; before that, or under rust-analyzer, nothing is recorded and nothing removed. A workflow deleted
//!   from the source (not renamed) leaves its file too: no place produces another name.

use proc_macro2::Span;
use serde_json::json;
use std::path::{Path, PathBuf};

/// Where a workflow's name is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
}

impl Origin {
    /// The place of `name` as written in the source; `None` when the compiler does not say, or the name was made by
    /// another macro (its span is not exactly as wide as its text).
    pub fn of(name: &syn::Ident) -> Option<Origin> {
        let span: Span = name.span();
        let (start, end) = (span.start(), span.end());
        let file = span.local_file()?;
        let written = start.line > 0
            && start.line == end.line
            && end.column.checked_sub(start.column) == Some(name.to_string().chars().count());
        written.then(|| Origin {
            file: absolute(file),
            line: start.line,
            column: start.column + 1,
        })
    }

    fn to_json(&self) -> String {
        json!({ "file": self.file, "line": self.line, "column": self.column }).to_string()
    }

    fn from_json(text: &str) -> Option<Origin> {
        let value: serde_json::Value = serde_json::from_str(text).ok()?;
        Some(Origin {
            file: PathBuf::from(value.get("file")?.as_str()?),
            line: usize::try_from(value.get("line")?.as_u64()?).ok()?,
            column: usize::try_from(value.get("column")?.as_u64()?).ok()?,
        })
    }
}

/// Writes the definition (recording where its name is written, and removing what that place used to produce) and
/// returns the file's absolute path.
pub fn write(name: &syn::Ident, definition: &str) -> Result<PathBuf, String> {
    let dir = output_dir()?;
    write_in(
        &dir,
        &name.to_string(),
        definition,
        Origin::of(name).as_ref(),
    )
}

fn write_in(
    dir: &Path,
    workflow: &str,
    definition: &str,
    origin: Option<&Origin>,
) -> Result<PathBuf, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create `{}`: {e}", dir.display()))?;
    if let Some(origin) = origin {
        // The record first: another expansion that reads it from now on leaves this file alone.
        let records = dir.join(".origin");
        std::fs::create_dir_all(&records)
            .map_err(|e| format!("cannot create `{}`: {e}", records.display()))?;
        let record = records.join(format!("{workflow}.json"));
        if std::fs::read_to_string(&record).ok().as_deref() != Some(origin.to_json().as_str()) {
            std::fs::write(&record, origin.to_json())
                .map_err(|e| format!("cannot write `{}`: {e}", record.display()))?;
        }
        remove_replaced(dir, workflow, origin);
    }
    let file = dir.join(format!("{workflow}.asl.json"));
    if std::fs::read(&file).ok().as_deref() != Some(definition.as_bytes()) {
        std::fs::write(&file, definition)
            .map_err(|e| format!("cannot write `{}`: {e}", file.display()))?;
    }
    std::fs::canonicalize(&file).map_err(|e| format!("cannot resolve `{}`: {e}", file.display()))
}

/// Removes the file and record of every other workflow recorded at `origin`: the name written there changed.
/// Failures are ignored: another compilation may have removed them first.
fn remove_replaced(dir: &Path, workflow: &str, origin: &Origin) {
    let Ok(records) = std::fs::read_dir(dir.join(".origin")) else {
        return;
    };
    for record in records.flatten() {
        let path = record.path();
        let Some(other) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".json"))
        else {
            continue;
        };
        let replaced = other != workflow
            && std::fs::read_to_string(&path)
                .ok()
                .and_then(|text| Origin::from_json(&text))
                .as_ref()
                == Some(origin);
        if replaced {
            let _ = std::fs::remove_file(dir.join(format!("{other}.asl.json")));
            let _ = std::fs::remove_file(&path);
        }
    }
}

fn output_dir() -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os("STEPFN_OUT_DIR").filter(|d| !d.is_empty()) {
        return Ok(absolute(PathBuf::from(dir)));
    }
    if let Some(target) = target_dir_from_rustc_args()
        .or_else(target_dir_from_env)
        .or_else(workspace_target_dir)
    {
        return Ok(target.join("stepfn"));
    }
    Err("cannot find the Cargo target directory: set STEPFN_OUT_DIR to the directory for the ASL files".into())
}

fn target_dir_from_rustc_args() -> Option<PathBuf> {
    let args: Vec<String> = std::env::args().collect();
    let out_dir = args
        .iter()
        .position(|a| a == "--out-dir")
        .and_then(|i| args.get(i + 1).cloned())
        .or_else(|| {
            args.iter()
                .find_map(|a| a.strip_prefix("--out-dir=").map(str::to_owned))
        })?;
    let out_dir = absolute(PathBuf::from(out_dir));
    out_dir
        .ancestors()
        .find(|dir| dir.join("CACHEDIR.TAG").is_file())
        .map(Path::to_path_buf)
}

fn target_dir_from_env() -> Option<PathBuf> {
    std::env::var_os("CARGO_TARGET_DIR")
        .filter(|d| !d.is_empty())
        .map(|d| absolute(PathBuf::from(d)))
}

/// `target/` beside the outermost `Cargo.lock` above the crate being compiled.
fn workspace_target_dir() -> Option<PathBuf> {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR")?);
    let root = manifest_dir
        .ancestors()
        .filter(|dir| dir.join("Cargo.lock").is_file())
        .last()?;
    Some(root.join("target"))
}

fn absolute(path: PathBuf) -> PathBuf {
    if path.is_absolute() {
        path
    } else {
        std::env::current_dir()
            .map(|cwd| cwd.join(&path))
            .unwrap_or(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(line: usize) -> Origin {
        Origin {
            file: PathBuf::from("/src/lib.rs"),
            line,
            column: 5,
        }
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .filter_map(|e| {
                e.file_name()
                    .to_str()?
                    .strip_suffix(".asl.json")
                    .map(str::to_owned)
            })
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_renamed_workflow_replaces_the_file_of_its_old_name() {
        let dir =
            std::env::temp_dir().join(format!("stepfn-artifact-rename-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        write_in(&dir, "Orders", "{}\n", Some(&origin(10))).unwrap();
        write_in(&dir, "Refunds", "{}\n", Some(&origin(20))).unwrap();
        write_in(&dir, "Unplaced", "{}\n", None).unwrap();
        assert_eq!(names(&dir), ["Orders", "Refunds", "Unplaced"]);

        // `Orders` renamed `OrderPipeline` where it is written: its old file goes, the others stay.
        write_in(&dir, "OrderPipeline", "{}\n", Some(&origin(10))).unwrap();
        assert_eq!(names(&dir), ["OrderPipeline", "Refunds", "Unplaced"]);
        assert!(!dir.join(".origin/Orders.json").exists());

        // Expanding again, or `Refunds` moving to another line, removes nothing more.
        write_in(&dir, "OrderPipeline", "{}\n", Some(&origin(10))).unwrap();
        write_in(&dir, "Refunds", "{}\n", Some(&origin(30))).unwrap();
        assert_eq!(names(&dir), ["OrderPipeline", "Refunds", "Unplaced"]);
        // A name now written where `Refunds` was replaces nothing: `Refunds` recorded its new place.
        write_in(&dir, "Audits", "{}\n", Some(&origin(20))).unwrap();
        assert_eq!(
            names(&dir),
            ["Audits", "OrderPipeline", "Refunds", "Unplaced"]
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn records_read_back_and_garbage_is_no_record() {
        assert_eq!(Origin::from_json(&origin(3).to_json()), Some(origin(3)));
        assert_eq!(Origin::from_json("not json"), None);
        assert_eq!(
            Origin::from_json(r#"{"file": 1, "line": 2, "column": 3}"#),
            None
        );
    }
}
