//! Showing repros (long repeats written as `"!" × 200000`).

/// A run of `unit` repeated `count` times.
struct Run {
    start: usize,
    unit: usize,
    count: usize,
}

/// The longest run at `i` of a unit of up to 24 characters repeated at least eight times (four for units longer
/// than four characters).
fn run_at(chars: &[char], i: usize) -> Option<Run> {
    let mut best: Option<Run> = None;
    for unit in 1..=24 {
        let least = if unit <= 4 { 8 } else { 4 };
        if i + unit * least > chars.len() {
            break;
        }
        let mut count = 1;
        while i + (count + 1) * unit <= chars.len()
            && chars[i + count * unit..i + (count + 1) * unit] == chars[i..i + unit]
        {
            count += 1;
        }
        if count >= least
            && best
                .as_ref()
                .is_none_or(|b| count * unit > b.count * b.unit)
        {
            best = Some(Run {
                start: i,
                unit,
                count,
            });
        }
    }
    best
}

fn runs(chars: &[char]) -> Vec<Run> {
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match run_at(chars, i) {
            Some(run) => {
                i += run.unit * run.count;
                found.push(run);
            }
            None => i += 1,
        }
    }
    found
}

fn quote(chars: &[char]) -> String {
    const KEEP: usize = 600;
    let text: String = if chars.len() > KEEP {
        let head: String = chars[..KEEP / 2].iter().collect();
        let tail: String = chars[chars.len() - KEEP / 4..].iter().collect();
        return format!(
            "{} + «{} more characters» + {}",
            serde_json::Value::String(head),
            chars.len() - KEEP / 2 - KEEP / 4,
            serde_json::Value::String(tail)
        );
    } else {
        chars.iter().collect()
    };
    serde_json::Value::String(text).to_string()
}

/// A string as a JSON string literal, long repeats folded: `"$.a[?(" + "!" × 200000 + "@.x)]"`.
pub fn show_string(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut pieces = Vec::new();
    let mut at = 0;
    for run in runs(&chars) {
        if run.start > at {
            pieces.push(quote(&chars[at..run.start]));
        }
        pieces.push(format!(
            "{} × {}",
            quote(&chars[run.start..run.start + run.unit]),
            run.count
        ));
        at = run.start + run.unit * run.count;
    }
    if at < chars.len() || pieces.is_empty() {
        pieces.push(quote(&chars[at..]));
    }
    pieces.join(" + ")
}

/// A part of a case: short JSON as it is, anything else as a string literal.
pub fn show_part(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    if text.len() <= 2000
        && runs(&chars).is_empty()
        && serde_json::from_str::<serde_json::Value>(text).is_ok()
        && !text.trim_start().starts_with('"')
    {
        text.to_owned()
    } else {
        show_string(text)
    }
}

/// The longest repeated unit of the case's parts, as `"!" × 200000`: what tells two stack overflows apart.
pub fn longest_repeat(parts: &[String]) -> Option<String> {
    parts
        .iter()
        .flat_map(|p| {
            let chars: Vec<char> = p.chars().collect();
            runs(&chars)
                .into_iter()
                .map(move |r| {
                    let unit: String = chars[r.start..r.start + r.unit].iter().collect();
                    (r.unit * r.count, unit)
                })
                .collect::<Vec<_>>()
        })
        .max_by_key(|(len, _)| *len)
        .filter(|(len, _)| *len >= 1000)
        .map(|(_, unit)| format!("{} repeated", serde_json::Value::String(unit)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_long_repeats() {
        let text = format!("$.a[?({}@.x)]", "!".repeat(200_000));
        assert_eq!(show_string(&text), r#""$.a[?(" + "!" × 200000 + "@.x)]""#);
        assert_eq!(show_string("abc"), r#""abc""#);
        assert_eq!(show_string(""), r#""""#);
        assert_eq!(show_part(r#"{"a":[1,2,3]}"#), r#"{"a":[1,2,3]}"#);
        assert_eq!(longest_repeat(&[text]).as_deref(), Some(r#""!" repeated"#));
        assert_eq!(show_string(&"ab".repeat(10)), r#""ab" × 10"#);
        assert_eq!(
            show_string(&format!("$.x{}", "$$.Map.Item.Value".repeat(5))),
            r#""$.x" + "$$.Map.Item.Value" × 5"#
        );
    }
}
