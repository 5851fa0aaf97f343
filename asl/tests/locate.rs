//! `locate` finds the value of every pointer of any JSON text, and never panics on any text.

use proptest::prelude::*;
use serde_json::Value;
use stepfn_asl::locate::{locate, Location};

/// Every pointer of `value`, with the value there.
fn pointers(value: &Value, at: String, out: &mut Vec<(String, Value)>) {
    out.push((at.clone(), value.clone()));
    match value {
        Value::Object(object) => {
            for (key, item) in object {
                pointers(
                    item,
                    format!("{at}/{}", stepfn_asl::pointer_segment(key)),
                    out,
                );
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                pointers(item, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        "[ -~é\u{1F600}\"\\\\/\n]{0,6}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(("[a-z~/\"é\u{1F600}]{0,3}", inner), 0..4)
                .prop_map(|entries| Value::Object(entries.into_iter().collect())),
        ]
    })
}

/// The value that starts at `offset`.
fn value_at(text: &str, offset: usize) -> Value {
    serde_json::Deserializer::from_str(&text[offset..])
        .into_iter::<Value>()
        .next()
        .expect("a value starts there")
        .expect("a whole value")
}

proptest! {
    #[test]
    fn finds_every_value_of_any_document(value in json(), pretty in any::<bool>()) {
        let text = if pretty { serde_json::to_string_pretty(&value) } else { serde_json::to_string(&value) }.unwrap();
        let mut all = Vec::new();
        pointers(&value, String::new(), &mut all);
        let asked: Vec<&str> = all.iter().map(|(p, _)| p.as_str()).collect();
        let found = locate(&text, &asked);
        for ((pointer, expected), location) in all.iter().zip(found) {
            prop_assert_eq!(&value_at(&text, location.offset), expected, "{}", pointer);
            let before = &text[..location.offset];
            prop_assert_eq!(location.line, before.matches('\n').count() + 1);
            let line_start = before.rfind('\n').map_or(0, |i| i + 1);
            prop_assert_eq!(location.column, before[line_start..].chars().count() + 1);
        }
    }

    #[test]
    fn never_panics_on_any_text(text in "[{}\\[\\]\":,\\\\u0-9a-f \n]{0,40}|\\PC{0,40}", pointer in "(/[a-z0-9~]{0,2}){0,3}") {
        for location in locate(&text, &[pointer.as_str(), ""]) {
            prop_assert!(location.offset <= text.len());
            prop_assert!(text.is_char_boundary(location.offset));
        }
    }
}

#[test]
fn a_missing_field_is_at_its_object_and_duplicates_at_the_last() {
    let text = "{\n  \"States\": {\n    \"A\": {\"Type\": \"Pass\"},\n    \"A\": {\"Type\": \"Succeed\"}\n  }\n}\n";
    let found = locate(
        text,
        &["/States/A/Next", "/States/A/Type", "/Nope", "/States"],
    );
    let at = |line, column| (line, column);
    let got: Vec<(usize, usize)> = found
        .iter()
        .map(|l: &Location| (l.line, l.column))
        .collect();
    assert_eq!(got, [at(4, 10), at(4, 19), at(1, 1), at(2, 13)]);
}

#[test]
fn deep_or_broken_text_ends_the_scan_without_harm() {
    let deep = "[".repeat(100_000);
    assert_eq!(locate(&deep, &["/0/0"])[0].offset, 2);
    let broken = r#"{"a": [1, 2,, {"b": tru"#;
    assert_eq!(locate(broken, &["/a/1", "/a/3/b"])[0].offset, 10);
}
