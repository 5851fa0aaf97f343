//! Deterministic emission: the one place that turns a document into the bytes written to
//! `target/stepfn/<Name>.asl.json` and returned at run time.

/// Pretty-printed JSON (two-space indent) with a trailing newline. Objects keep their key order (serde_json's
/// `preserve_order`), so the same document always gives the same bytes, in the order it was written.
pub fn to_pretty_json(document: &serde_json::Value) -> String {
    let mut text = serde_json::to_string_pretty(document).expect("a JSON value always serializes");
    text.push('\n');
    text
}
