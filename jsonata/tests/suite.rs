//! Runs the JSONata reference test suite (`shared/jsonata-test-suite`) against this implementation: every case
//! under `catch_unwind`, per-group pass counts, the failing cases listed. Asserts that nothing panics and that the
//! pass count does not fall below `FLOOR`.

#[path = "../../tests/src/shared_data.rs"]
mod shared_data;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;
use stepfn_jsonata::{Bindings, Expression};

/// Ratchet: the number of cases passing when this floor was last raised. Raise it as the implementation
/// improves; a drop below it is a regression.
const FLOOR: usize = 1681;

fn numbers_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (
                x.as_f64().unwrap_or(f64::NAN),
                y.as_f64().unwrap_or(f64::NAN),
            );
            x == y || ((x - y).abs() <= 1e-12 * x.abs().max(y.abs()))
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| numbers_equal(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| numbers_equal(v, w)))
        }
        _ => a == b,
    }
}

fn unordered_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            let mut used = vec![false; y.len()];
            x.iter().all(|v| {
                let found = y
                    .iter()
                    .enumerate()
                    .position(|(i, w)| !used[i] && numbers_equal(v, w));
                if let Some(i) = found {
                    used[i] = true;
                }
                found.is_some()
            })
        }
        _ => numbers_equal(a, b),
    }
}

enum Outcome {
    Pass,
    Fail(String),
    Panic(String),
}

fn run_case(dir: &Path, case: &Value, datasets: &Path) -> Outcome {
    let expr = match case.get("expr").and_then(Value::as_str) {
        Some(e) => e.to_string(),
        None => match case.get("expr-file").and_then(Value::as_str) {
            Some(f) => std::fs::read_to_string(dir.join(f)).unwrap_or_default(),
            None => return Outcome::Fail("no expr".into()),
        },
    };
    let data: Option<Value> = match case.get("dataset").and_then(Value::as_str) {
        Some(ds) => std::fs::read_to_string(datasets.join(format!("{ds}.json")))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok()),
        None => case.get("data").cloned(),
    };
    let mut bindings = Bindings::default();
    if let Some(Value::Object(b)) = case.get("bindings") {
        for (k, v) in b {
            bindings.variable(k.clone(), v.clone());
        }
    }
    if let Some(d) = case.get("depth").and_then(Value::as_u64) {
        bindings.max_depth = Some(d as usize);
    }
    if let Some(t) = case.get("timelimit").and_then(Value::as_u64) {
        bindings.time_limit = Some(Duration::from_millis(t));
    }
    let expected_code = case.get("code").and_then(Value::as_str).or_else(|| {
        case.get("error")
            .and_then(|e| e.get("code"))
            .and_then(Value::as_str)
    });
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        Expression::parse(&expr).and_then(|e| e.evaluate(data.as_ref(), &bindings))
    }));
    let result = match result {
        Ok(r) => r,
        Err(p) => {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            return Outcome::Panic(format!("{expr}: panic {msg}"));
        }
    };
    let got = match &result {
        Ok(Some(v)) => v.to_string(),
        Ok(None) => "undefined".into(),
        Err(e) => format!("error {e}"),
    };
    let ok = if let Some(code) = expected_code {
        matches!(&result, Err(e) if e.code == code)
    } else if case.get("undefinedResult").and_then(Value::as_bool) == Some(true) {
        matches!(result, Ok(None))
    } else if let Some(expected) = case.get("result") {
        match &result {
            Ok(Some(v)) => {
                if case.get("unordered").and_then(Value::as_bool) == Some(true) {
                    unordered_equal(v, expected)
                } else {
                    numbers_equal(v, expected)
                }
            }
            _ => false,
        }
    } else {
        matches!(result, Ok(None))
    };
    if ok {
        Outcome::Pass
    } else {
        let expected = expected_code
            .map(|c| format!("error {c}"))
            .or_else(|| case.get("result").map(|r| r.to_string()))
            .unwrap_or_else(|| "undefined".into());
        let cut = |s: String| {
            if s.len() > 300 {
                format!(
                    "{}...",
                    &s[..s.char_indices().nth(300).map(|c| c.0).unwrap_or(s.len())]
                )
            } else {
                s
            }
        };
        Outcome::Fail(format!(
            "{}\n      expected: {}\n      got:      {}",
            cut(expr),
            cut(expected),
            cut(got)
        ))
    }
}

#[test]
fn reference_suite() {
    let Some(root) = shared_data::shared_path("jsonata-test-suite") else {
        return;
    };
    let datasets = root.join("datasets");
    let mut groups: Vec<PathBuf> = std::fs::read_dir(root.join("groups"))
        .expect("groups")
        .flatten()
        .map(|e| e.path())
        .collect();
    groups.sort();
    let mut per_group: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut failures = vec![];
    let mut panics = vec![];
    let (mut total, mut passed) = (0, 0);
    let only = std::env::var("SUITE_GROUP").ok();
    for g in groups {
        let gname = g
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        if only.as_ref().is_some_and(|o| *o != gname) {
            continue;
        }
        let mut files: Vec<PathBuf> = std::fs::read_dir(&g)
            .expect("group")
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        for f in files {
            let text = std::fs::read_to_string(&f).expect("case");
            let fname = f
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string();
            let json = match serde_json::from_str::<Value>(&text) {
                Ok(json) => json,
                Err(e) => {
                    // e.g. a number beyond f64 range, which serde_json rejects: counted as a failure
                    total += 1;
                    per_group.entry(gname.clone()).or_default().1 += 1;
                    failures.push(format!("{gname}/{fname}: unreadable case file: {e}"));
                    continue;
                }
            };
            let cases = match json {
                Value::Array(a) => a,
                v => vec![v],
            };
            let fname = f
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string();
            for (i, case) in cases.iter().enumerate() {
                let id = if cases.len() > 1 {
                    format!("{gname}/{fname}[{i}]")
                } else {
                    format!("{gname}/{fname}")
                };
                total += 1;
                let entry = per_group.entry(gname.clone()).or_default();
                entry.1 += 1;
                match run_case(&g, case, &datasets) {
                    Outcome::Pass => {
                        passed += 1;
                        entry.0 += 1;
                    }
                    Outcome::Fail(msg) => failures.push(format!("{id}: {msg}")),
                    Outcome::Panic(msg) => {
                        failures.push(format!("{id}: {msg}"));
                        panics.push(format!("{id}: {msg}"));
                    }
                }
            }
        }
    }
    println!("FAILURES ({}):", failures.len());
    for f in &failures {
        println!("  {f}");
    }
    println!("PER GROUP:");
    for (g, (p, t)) in &per_group {
        println!("  {g:40} {p:4}/{t:4}");
    }
    println!("PANICS ({}):", panics.len());
    for p in &panics {
        println!("  {p}");
    }
    println!("TOTAL: {passed}/{total}");
    assert!(panics.is_empty(), "{} cases panicked", panics.len());
    assert!(
        passed >= FLOOR,
        "pass count {passed} fell below the floor {FLOOR}"
    );
}

/// Every prefix of every suite expression (truncated text is the commonest malformed input) must parse or fail
/// cleanly, and evaluate without panicking. Evaluation is capped at 50 ms per prefix.
#[test]
fn truncated_expressions_never_panic() {
    let Some(root) = shared_data::shared_path("jsonata-test-suite") else {
        return;
    };
    let mut exprs = vec![];
    for g in std::fs::read_dir(root.join("groups"))
        .expect("groups")
        .flatten()
    {
        for f in std::fs::read_dir(g.path()).expect("group").flatten() {
            let Ok(text) = std::fs::read_to_string(f.path()) else {
                continue;
            };
            let Ok(json) = serde_json::from_str::<Value>(&text) else {
                continue;
            };
            let cases = match json {
                Value::Array(a) => a,
                v => vec![v],
            };
            for c in cases {
                if let Some(e) = c.get("expr").and_then(Value::as_str) {
                    exprs.push((e.to_string(), c.get("data").cloned()));
                }
            }
        }
    }
    let mut bindings = Bindings::default();
    bindings.time_limit = Some(Duration::from_millis(50));
    let (mut total, mut panics) = (0, vec![]);
    for (expr, data) in &exprs {
        for (i, _) in expr.char_indices().skip(1) {
            let prefix = &expr[..i];
            total += 1;
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                if let Ok(e) = Expression::parse(prefix) {
                    let _ = e.evaluate(data.as_ref(), &bindings);
                }
            }));
            if r.is_err() {
                panics.push(prefix.to_string());
            }
        }
    }
    println!("truncated expressions: {total}, panics: {}", panics.len());
    for p in &panics {
        println!("  PANIC: {p}");
    }
    assert!(
        panics.is_empty(),
        "{} truncated expressions panicked",
        panics.len()
    );
}
