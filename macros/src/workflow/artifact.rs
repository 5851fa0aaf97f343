//! The build artifacts: `target/stepfn/<Name>.asl.json` and, beside it, the deployment template
//! `<Name>.template.json` (`stepfn_template`), and what keeps a renamed workflow's old files from looking current.
//!
//! The directory is `STEPFN_OUT_DIR` when set; otherwise `stepfn/` in the Cargo target directory, found from the
//! `--out-dir` rustc was given (which honours `CARGO_TARGET_DIR` and `build.target-dir`: the target directory is
//! the nearest ancestor holding Cargo's `CACHEDIR.TAG`), then `CARGO_TARGET_DIR`, then `target/` of the workspace.
//! A file is rewritten only when its bytes change, so builds stay incremental.
//!
//! **Renamed and removed workflows.** Beside each file, `.origin/<Name>.json` records the source file the
//! workflow is written in. When a workflow is expanded, the macro reads its own source file and lists the names of
//! the `workflow!` invocations in it; any workflow recorded for that file whose name is no longer there was renamed
//! or removed: its definition, template and record are removed. Why this rule, and why it is safe:
//!
//! - A macro sees one invocation, never the whole crate, and has no hook at the end of a compilation, so "every
//!   name this crate no longer produces" cannot be known; the names a source file holds now can, and a workflow
//!   renamed, moved down a line or deleted leaves its file's list.
//! - Only names in the file's current text are kept, and a file's list is read only when the name being expanded
//!   is found in it (so a file this scan cannot read, or a macro imported under another name, removes nothing). A
//!   name made by another macro (its span is not as wide as its text) records nothing and is never cleaned up.
//! - A workflow moved to another file is recorded there when that file is expanded; if its old file is expanded
//!   first in the same build, its definition is removed and written again moments later, before its own
//!   `include_str!` reads it. The one race is two compilations of the same crate at the same instant (a library and
//!   its tests) during such a move: it can fail one of them once, and the next build passes.
//! - It needs rustc 1.88 or later (where proc macros can read a span's source file) in a real compilation; before
//!   that, or under rust-analyzer, nothing is recorded and nothing removed. A source file deleted whole is never
//!   expanded again, so its workflows' definitions stay until `cargo clean`.

use proc_macro2::{Delimiter, Span, TokenStream, TokenTree};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The source file a workflow's name is written in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: PathBuf,
}

impl Origin {
    /// The file of `name` as written in the source; `None` when the compiler does not say, or the name was made by
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
        })
    }

    fn to_json(&self) -> String {
        json!({ "file": self.file }).to_string()
    }

    fn from_json(text: &str) -> Option<Origin> {
        let value: serde_json::Value = serde_json::from_str(text).ok()?;
        Some(Origin {
            file: PathBuf::from(value.get("file")?.as_str()?),
        })
    }
}

/// The absolute paths of a workflow's written files.
pub struct Written {
    pub definition: PathBuf,
    pub template: PathBuf,
}

/// Writes the definition and the template (recording their source file, and removing what that file no longer
/// produces) and returns the files' absolute paths.
pub fn write(name: &syn::Ident, definition: &str, template: &str) -> Result<Written, String> {
    let dir = output_dir()?;
    let workflow = name.to_string();
    let origin = Origin::of(name);
    let current = origin
        .as_ref()
        .and_then(|origin| std::fs::read_to_string(&origin.file).ok())
        .and_then(|text| workflow_names(&text))
        .filter(|names| names.contains(&workflow));
    let origin = origin.zip(current);
    write_in(
        &dir,
        &name.to_string(),
        definition,
        template,
        origin
            .as_ref()
            .map(|(origin, names)| (origin, names.as_slice())),
    )
}

/// Writes `workflow`'s definition and template; with its origin and the names its source file holds now, records
/// the origin and removes the workflows recorded for that file that it no longer holds.
fn write_in(
    dir: &Path,
    workflow: &str,
    definition: &str,
    template: &str,
    origin: Option<(&Origin, &[String])>,
) -> Result<Written, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create `{}`: {e}", dir.display()))?;
    if let Some((origin, names)) = origin {
        let records = dir.join(".origin");
        std::fs::create_dir_all(&records)
            .map_err(|e| format!("cannot create `{}`: {e}", records.display()))?;
        let record = records.join(format!("{workflow}.json"));
        if std::fs::read_to_string(&record).ok().as_deref() != Some(origin.to_json().as_str()) {
            std::fs::write(&record, origin.to_json())
                .map_err(|e| format!("cannot write `{}`: {e}", record.display()))?;
        }
        remove_gone(dir, origin, names);
    }
    Ok(Written {
        definition: write_file(&dir.join(format!("{workflow}.asl.json")), definition)?,
        template: write_file(&dir.join(stepfn_template::file_name(workflow)), template)?,
    })
}

/// Writes `text` to `file` unless it already holds it; returns the file's absolute path.
fn write_file(file: &Path, text: &str) -> Result<PathBuf, String> {
    if std::fs::read(file).ok().as_deref() != Some(text.as_bytes()) {
        std::fs::write(file, text)
            .map_err(|e| format!("cannot write `{}`: {e}", file.display()))?;
    }
    std::fs::canonicalize(file).map_err(|e| format!("cannot resolve `{}`: {e}", file.display()))
}

/// Removes the file and record of every workflow recorded for `origin`'s file whose name is not in `names`.
/// Failures are ignored: another compilation may have removed them first.
fn remove_gone(dir: &Path, origin: &Origin, names: &[String]) {
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
        let gone = !names.iter().any(|n| n == other)
            && std::fs::read_to_string(&path)
                .ok()
                .and_then(|text| Origin::from_json(&text))
                .as_ref()
                == Some(origin);
        if gone {
            let _ = std::fs::remove_file(dir.join(format!("{other}.asl.json")));
            let _ = std::fs::remove_file(dir.join(stepfn_template::file_name(other)));
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// The names of the `workflow!` invocations in a source text (`workflow! { #[attr] pub Name ... }`, under any path
/// ending in `workflow`), at any depth; `None` when the text does not lex as Rust.
fn workflow_names(text: &str) -> Option<Vec<String>> {
    let tokens = TokenStream::from_str(text).ok()?;
    let mut names = Vec::new();
    collect_names(tokens, &mut names, 0).then_some(names)
}

/// How deeply delimiters may nest before the scan gives up (a file it cannot read whole removes nothing).
const MAX_NESTING: usize = 256;

/// Adds the names of the invocations in `tokens`; `false` when they nest past [`MAX_NESTING`], so the list is not
/// the whole file's (and must not be used to remove anything).
fn collect_names(tokens: TokenStream, names: &mut Vec<String>, depth: usize) -> bool {
    if depth > MAX_NESTING {
        return false;
    }
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    for (i, token) in tokens.iter().enumerate() {
        let TokenTree::Group(group) = token else {
            continue;
        };
        let invoked = i >= 2
            && matches!(&tokens[i - 1], TokenTree::Punct(p) if p.as_char() == '!')
            && matches!(&tokens[i - 2], TokenTree::Ident(id) if id == "workflow");
        if invoked {
            names.extend(invocation_name(group.stream()));
        }
        if !collect_names(group.stream(), names, depth + 1) {
            return false;
        }
    }
    true
}

/// The name in a `workflow!` invocation's tokens: the first identifier after its attributes and visibility.
fn invocation_name(tokens: TokenStream) -> Option<String> {
    let mut tokens = tokens.into_iter().peekable();
    loop {
        match tokens.next()? {
            // `#[...]` and `///` doc comments (which lex as `#[doc = "..."]`)
            TokenTree::Punct(p) if p.as_char() == '#' => {
                tokens.next();
            }
            TokenTree::Ident(id) if id == "pub" => {
                if matches!(tokens.peek(), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis)
                {
                    tokens.next();
                }
            }
            TokenTree::Ident(id) => return Some(id.to_string()),
            _ => return None,
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

    fn holding(list: &[&str]) -> Vec<String> {
        list.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn a_workflow_its_file_no_longer_holds_loses_its_definition() {
        let dir =
            std::env::temp_dir().join(format!("stepfn-artifact-rename-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let lib = Origin {
            file: PathBuf::from("/src/lib.rs"),
        };
        let other = Origin {
            file: PathBuf::from("/src/other.rs"),
        };
        let both = holding(&["Orders", "Refunds"]);
        write_in(&dir, "Orders", "{}\n", "{}\n", Some((&lib, &both))).unwrap();
        write_in(&dir, "Refunds", "{}\n", "{}\n", Some((&lib, &both))).unwrap();
        write_in(
            &dir,
            "Audits",
            "{}\n",
            "{}\n",
            Some((&other, &holding(&["Audits"]))),
        )
        .unwrap();
        write_in(&dir, "Unplaced", "{}\n", "{}\n", None).unwrap();
        assert_eq!(names(&dir), ["Audits", "Orders", "Refunds", "Unplaced"]);

        // `Orders` renamed `OrderPipeline` (wherever it now sits in lib.rs): its old file goes, the others stay.
        let renamed = holding(&["OrderPipeline", "Refunds"]);
        write_in(
            &dir,
            "OrderPipeline",
            "{}\n",
            "{}\n",
            Some((&lib, &renamed)),
        )
        .unwrap();
        assert_eq!(
            names(&dir),
            ["Audits", "OrderPipeline", "Refunds", "Unplaced"]
        );
        assert!(!dir.join(".origin/Orders.json").exists());
        assert!(!dir.join("Orders.template.json").exists());
        assert!(dir.join("OrderPipeline.template.json").exists());

        // `Refunds` deleted from lib.rs: gone at the next expansion there. Another file's workflows stay.
        write_in(
            &dir,
            "OrderPipeline",
            "{}\n",
            "{}\n",
            Some((&lib, &holding(&["OrderPipeline"]))),
        )
        .unwrap();
        assert_eq!(names(&dir), ["Audits", "OrderPipeline", "Unplaced"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_names_of_a_source_file_are_read_from_its_tokens() {
        let text = r#"
            use stepfn::workflow;
            /// A doc comment, then attributes and a visibility.
            stepfn::workflow! {
                /// Orders.
                #[allow(dead_code)]
                pub(crate) OrderPipeline { Comment: "x" }
                place_order -> end;
            }
            mod inner {
                workflow! { Refunds; refund -> end; }
                // workflow! { Commented; a -> end; }
                const TEXT: &str = "workflow! { InAString; }";
            }
            fn not_a_workflow() { other! { Nope; } }
        "#;
        assert_eq!(
            workflow_names(text),
            Some(holding(&["OrderPipeline", "Refunds"]))
        );
        assert_eq!(workflow_names("fn broken( {"), None);
        // Nesting past the bound: no list (removing by a partial one could delete a live definition), no overflow.
        let deep = format!("{}{}", "(".repeat(100_000), ")".repeat(100_000));
        assert_eq!(workflow_names(&deep), None);
    }

    #[test]
    fn records_read_back_and_garbage_is_no_record() {
        let origin = Origin {
            file: PathBuf::from("/src/lib.rs"),
        };
        assert_eq!(Origin::from_json(&origin.to_json()), Some(origin));
        assert_eq!(Origin::from_json("not json"), None);
        assert_eq!(Origin::from_json(r#"{"file": 1}"#), None);
    }
}
