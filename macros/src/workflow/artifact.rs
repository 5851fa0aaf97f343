//! The build artifact: `target/stepfn/<Name>.asl.json`.
//!
//! The directory is `STEPFN_OUT_DIR` when set; otherwise `stepfn/` in the Cargo target directory, found from the
//! `--out-dir` rustc was given (which honours `CARGO_TARGET_DIR` and `build.target-dir`: the target directory is
//! the nearest ancestor holding Cargo's `CACHEDIR.TAG`), then `CARGO_TARGET_DIR`, then `target/` of the workspace.
//! The file is rewritten only when its bytes change, so builds stay incremental.

use std::path::{Path, PathBuf};

/// Writes the definition and returns the file's absolute path.
pub fn write(workflow: &str, definition: &str) -> Result<PathBuf, String> {
    let dir = output_dir()?;
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create `{}`: {e}", dir.display()))?;
    let file = dir.join(format!("{workflow}.asl.json"));
    if std::fs::read(&file).ok().as_deref() != Some(definition.as_bytes()) {
        std::fs::write(&file, definition)
            .map_err(|e| format!("cannot write `{}`: {e}", file.display()))?;
    }
    std::fs::canonicalize(&file).map_err(|e| format!("cannot resolve `{}`: {e}", file.display()))
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
