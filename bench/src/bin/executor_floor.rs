//! The floor of `bench/executor/compare.py`: what running a workload of `bench/executor/` costs at the least, with no
//! executor. For each line of a JSON Lines file it parses the input with serde_json, does by hand the JSON edits the
//! workload's definition does (so its output equals `stepfn run`'s), and writes the result line
//! `{"status":"SUCCEEDED","output":...}`, as `stepfn run --inputs` does.
//!
//! `executor_floor chain|map FILE.jsonl`
//!
//! It works on `serde_json::Value`, as an executor must; it moves values rather than copying them wherever the
//! source is not read again, as code written by hand for one workflow would.

use serde_json::{json, Map, Value};
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::process::ExitCode;

/// The object a workload's state works on (the inputs are objects).
fn object(value: &mut Value) -> &mut Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("the input must be an object, not {other}"),
    }
}

/// `bench/executor/chain.asl.json`: ten Pass states.
fn chain(mut input: Value) -> Value {
    let order = object(&mut input);
    // Received: Result "received" at $.status.
    order.insert("status".into(), json!("received"));
    // Customer: InputPath $.user, Parameters {name, email}, at $.customer.
    let user = &order["user"];
    let customer = json!({"name": user["name"].clone(), "email": user["email"].clone()});
    order.insert("customer".into(), customer);
    // Step3: Result at $.s3.
    order.insert("s3".into(), json!({"step": 3, "ok": true}));
    // Reshape: Parameters replace the whole input.
    let mut take = |key: &str| order.get_mut(key).map(Value::take).unwrap_or(Value::Null);
    let mut reshaped = json!({
        "orderId": take("id"),
        "customer": take("customer"),
        "lines": take("items"),
        "tags": take("tags"),
        "status": take("status"),
        "s3": take("s3"),
    });
    let state = object(&mut reshaped);
    // Shipping: Parameters at $.shipping.
    let shipping = json!({
        "to": state["customer"]["name"].clone(),
        "method": "ground",
        "tags": state["tags"].clone(),
    });
    state.insert("shipping".into(), shipping);
    // Step6: Result at $.s6.
    state.insert("s6".into(), json!({"step": 6}));
    // First: Parameters from the first line, at $.first.
    let line = &state["lines"][0];
    let first = json!({"sku": line["sku"].clone(), "qty": line["qty"].clone()});
    state.insert("first".into(), first);
    // Validated: Result true at $.validated.
    state.insert("validated".into(), json!(true));
    // Step9: Result at $.s9.
    state.insert("s9".into(), json!({"step": 9, "by": "bench"}));
    // Output: Parameters replace the whole input.
    let mut take = |key: &str| state.get_mut(key).map(Value::take).unwrap_or(Value::Null);
    json!({
        "id": take("orderId"),
        "email": take("customer")["email"].take(),
        "lines": take("lines"),
        "first": take("first"),
        "shipping": take("shipping"),
        "checks": {
            "validated": take("validated"),
            "s3": take("s3"),
            "s6": take("s6"),
            "s9": take("s9"),
        },
        "status": take("status"),
    })
}

/// `bench/executor/map.asl.json`: a Map reshaping each item, then a Pass.
fn map(mut input: Value) -> Value {
    let batch = object(&mut input);
    // EachItem: each item through Reshape, the array at $.lines.
    let items = match batch.get_mut("items").map(Value::take) {
        Some(Value::Array(items)) => items,
        other => panic!("the items must be an array, not {other:?}"),
    };
    let lines: Vec<Value> = items
        .into_iter()
        .map(|mut item| {
            let mut take = |key: &str| item.get_mut(key).map(Value::take).unwrap_or(Value::Null);
            json!({
                "sku": take("id"),
                "label": take("name"),
                "cost": take("price"),
                "count": take("qty"),
                "color": take("meta")["color"].take(),
            })
        })
        .collect();
    // Summary: Parameters replace the whole input.
    let mut take = |key: &str| batch.get_mut(key).map(Value::take).unwrap_or(Value::Null);
    json!({"batch": take("batch"), "source": take("source"), "lines": lines})
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let workload: fn(Value) -> Value = match args.get(1).map(String::as_str) {
        Some("chain") => chain,
        Some("map") => map,
        _ => {
            eprintln!("usage: executor_floor chain|map FILE.jsonl");
            return ExitCode::from(2);
        }
    };
    let Some(path) = args.get(2) else {
        eprintln!("usage: executor_floor chain|map FILE.jsonl");
        return ExitCode::from(2);
    };
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) => {
            eprintln!("error: cannot read {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for line in BufReader::new(file).lines() {
        let line = line.expect("the inputs file is readable");
        if line.trim().is_empty() {
            continue;
        }
        let input: Value = serde_json::from_str(&line).expect("each line is JSON");
        let output = workload(input);
        out.write_all(br#"{"status":"SUCCEEDED","output":"#)
            .and_then(|()| serde_json::to_writer(&mut out, &output).map_err(Into::into))
            .and_then(|()| out.write_all(b"}\n"))
            .expect("stdout is writable");
    }
    out.flush().expect("stdout is writable");
    ExitCode::SUCCESS
}
