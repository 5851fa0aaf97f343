//! Mutations of text (character flips, insertions of interesting tokens, deletions, truncation, splices, long
//! repeats and deep nesting) and of JSON trees (a node replaced by an extreme number, a mutated string, another
//! seed's subtree, nesting; members added, removed or renamed).

use crate::corpus::Corpus;
use crate::rng::Rng;
use serde_json::{Map, Number, Value};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The longest text a mutation produces by default (long enough for 200,000 repeats of a token).
pub const DEFAULT_MAX_LEN: usize = 1 << 20;

static MAX_LEN: AtomicUsize = AtomicUsize::new(DEFAULT_MAX_LEN);

/// Sets the longest text a mutation produces (`--max-len`).
pub fn set_max_len(len: usize) {
    MAX_LEN.store(len.max(16), Ordering::Relaxed);
}

fn max_len() -> usize {
    MAX_LEN.load(Ordering::Relaxed)
}

/// Tokens worth inserting into any of the languages.
pub const TOKENS: &[&str] = &[
    "[?(",
    ")]",
    "!",
    "$999999999999",
    "$99999999999999999999999",
    "{%",
    "%}",
    "{% %}",
    "{%}",
    "1e300",
    "-1e300",
    "1e-300",
    "1e309",
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808",
    "18446744073709551615",
    "18446744073709551616",
    "-0.0",
    "-0",
    "0",
    "4294967295",
    "2147483648",
    "0.5",
    "10.0",
    "[",
    "]",
    "(",
    ")",
    "{",
    "}",
    "'",
    "\"",
    "\\",
    "\\\\",
    "\\'",
    ".",
    "..",
    "*",
    "@",
    "@.",
    "$",
    "$$",
    "$.",
    "$..",
    "States.",
    "States.Format(",
    "States.ArrayRange(",
    "States.MathAdd(",
    "States.Array(",
    ",",
    ":",
    "::",
    "[1::9223372036854775807]",
    "[-9223372036854775808:]",
    "[::-1]",
    "[0:0:0]",
    "[*]",
    "?",
    "&&",
    "||",
    "==",
    "!=",
    "<=",
    ">=",
    "=~",
    " ",
    "\t",
    "\n",
    "\0",
    "\u{7f}",
    "é",
    "中",
    "\u{10346}",
    "\u{202e}",
    "\u{fffd}",
    "\u{feff}",
    "😀",
    "T",
    "Z",
    "+99:99",
    "-00:00",
    ".999999999999",
    "24:00:00",
    "{}",
    "[]",
    "null",
    "true",
    "false",
    "/",
    "/[a-z]+/i",
    "/(a)(b)?/",
    "function($x){$x}",
    "~>",
    "?:",
    "??",
    "%",
    "#$i",
    "@$v",
    "[1..1000000000]",
    "$string(",
    "$pad(",
    "$replace(",
    "$formatNumber(",
    "$formatInteger(",
    "$fromMillis(",
    "$toMillis(",
    "$substring(",
    "$match(",
    "$split(",
    "$sort(",
    "$reduce(",
    "$eval(",
    "$states",
    "$states.input",
    "$$.Map.Item.Value",
    "Execution.Id",
    "States.ALL",
    "\\u0000",
    "\\ud800",
    "\\u",
    "`",
    "<",
    ">",
    "^",
    "&",
    "|",
    ";",
    "=",
    "-",
    "+",
    "#",
    "e",
    "E",
];

/// JSON numbers at the edges.
pub const NUMBERS: &[&str] = &[
    "0",
    "-0.0",
    "1",
    "-1",
    "2",
    "10.0",
    "0.5",
    "1.5",
    "1e300",
    "-1e300",
    "1e-300",
    "1.7976931348623157e308",
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808",
    "18446744073709551615",
    "18446744073709551616",
    "4294967295",
    "4294967296",
    "2147483647",
    "99999999",
    "100000000",
    "31536000",
    "86400",
    "25000",
    "1000000000000",
    "262144",
];

/// Openers and closers for deep nesting.
const NESTING: &[(&str, &str)] = &[
    ("(", ")"),
    ("[", "]"),
    ("{", "}"),
    ("[[", "]]"),
    ("!", ""),
    ("-", ""),
    ("$not(", ")"),
    ("[?(", ")]"),
    ("[?(!(", "))]"),
    ("{\"a\":", "}"),
    ("States.Array(", ")"),
    ("States.JsonToString(", ")"),
    ("{% ", " %}"),
    ("function($f){", "}"),
    ("[0][", "]"),
];

fn floor_boundary(s: &str, mut at: usize) -> usize {
    at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn random_boundary(rng: &mut Rng, s: &str) -> usize {
    floor_boundary(s, rng.below(s.len() + 1))
}

fn random_char(rng: &mut Rng) -> char {
    match rng.below(10) {
        0 => *rng.pick(&[
            '\0',
            '\u{7f}',
            'é',
            '中',
            '\u{10346}',
            '\u{202e}',
            '\u{fffd}',
            '\u{feff}',
            '😀',
            '\n',
            '\t',
            '\u{85}',
            '\u{2028}',
        ]),
        1 => *rng.pick(&[
            '$', '@', '.', '[', ']', '(', ')', '{', '}', '%', '\'', '"', '\\', '?', '!', ':', ',',
            '*',
        ]),
        _ => char::from(0x20 + rng.below(0x5f) as u8),
    }
}

/// Some mutations of `text` (one to four, stacked).
pub fn mutate_text(rng: &mut Rng, text: &str, corpus: &Corpus) -> String {
    let mut s = text.to_owned();
    for _ in 0..rng.log_size(4) {
        s = mutate_once(rng, s, corpus);
        if s.len() > max_len() {
            let at = floor_boundary(&s, max_len());
            s.truncate(at);
        }
    }
    s
}

fn mutate_once(rng: &mut Rng, mut s: String, corpus: &Corpus) -> String {
    match rng.below(14) {
        // Replace a character.
        0 if !s.is_empty() => {
            let at = floor_boundary(&s, rng.below(s.len()));
            let len = s[at..].chars().next().map_or(0, char::len_utf8);
            s.replace_range(at..at + len, random_char(rng).encode_utf8(&mut [0; 4]));
            s
        }
        // Flip a bit of an ASCII character (keeping it ASCII).
        1 if !s.is_empty() => {
            let at = floor_boundary(&s, rng.below(s.len()));
            let byte = s.as_bytes()[at];
            if byte.is_ascii() {
                let flipped = (byte ^ (1 << rng.below(7))) as char;
                s.replace_range(at..at + 1, flipped.encode_utf8(&mut [0; 4]));
            }
            s
        }
        // Insert an interesting token.
        2 | 3 => {
            let at = random_boundary(rng, &s);
            let token = rng.pick_str(TOKENS);
            s.insert_str(at, token);
            s
        }
        // Delete a range.
        4 if !s.is_empty() => {
            let from = random_boundary(rng, &s);
            let to = floor_boundary(&s, from + rng.log_size(s.len() - from + 1));
            s.replace_range(from..to, "");
            s
        }
        // Duplicate a range.
        5 if !s.is_empty() => {
            let from = random_boundary(rng, &s);
            let to = floor_boundary(&s, from + rng.log_size(64));
            let piece = s[from..to].to_owned();
            let at = random_boundary(rng, &s);
            s.insert_str(at, &piece);
            s
        }
        // Truncate.
        6 => {
            let at = random_boundary(rng, &s);
            s.truncate(at);
            s
        }
        // Splice: this one's start, another seed string's end.
        7 => {
            let other = corpus.any_string(rng);
            let at = random_boundary(rng, &s);
            let from = random_boundary(rng, other);
            s.truncate(at);
            s.push_str(&other[from..]);
            s
        }
        // A token repeated many times (deep recursion in parsers).
        8 => {
            let token = *rng.pick(TOKENS);
            let max = if rng.chance(1, 8) { 200_000 } else { 100 };
            let count = rng.log_size(max).min(max_len() / token.len().max(1));
            let at = random_boundary(rng, &s);
            s.insert_str(at, &token.repeat(count));
            s
        }
        // Deep nesting around a range.
        9 => {
            let (open, close) = *rng.pick(NESTING);
            let max = if rng.chance(1, 8) { 100_000 } else { 200 };
            let depth = rng
                .log_size(max)
                .min(max_len() / (open.len() + close.len()));
            let from = random_boundary(rng, &s);
            let to = floor_boundary(&s, from + rng.below(s.len() - from + 1));
            let mut out = String::with_capacity(s.len() + depth * (open.len() + close.len()));
            out.push_str(&s[..from]);
            out.push_str(&open.repeat(depth));
            out.push_str(&s[from..to]);
            out.push_str(&close.repeat(depth));
            out.push_str(&s[to..]);
            out
        }
        // Replace a run of digits with an extreme number.
        10 => {
            let digits: Vec<usize> = s
                .char_indices()
                .filter(|(_, c)| c.is_ascii_digit())
                .map(|(i, _)| i)
                .collect();
            if digits.is_empty() {
                let at = random_boundary(rng, &s);
                let number = rng.pick_str(NUMBERS);
                s.insert_str(at, number);
                return s;
            }
            let from = *rng.pick(&digits);
            let to = s[from..]
                .find(|c: char| !c.is_ascii_digit() && c != '.' && c != 'e')
                .map_or(s.len(), |n| from + n);
            let number = rng.pick_str(NUMBERS);
            s.replace_range(from..to, number);
            s
        }
        // Insert a seed string.
        11 => {
            let at = random_boundary(rng, &s);
            s.insert_str(at, corpus.any_string(rng));
            s
        }
        // Swap two halves.
        12 if s.len() > 1 => {
            let at = random_boundary(rng, &s);
            let (a, b) = s.split_at(at);
            format!("{b}{a}")
        }
        // Replace the whole text with a seed string.
        13 => corpus.any_string(rng).to_owned(),
        _ => {
            let at = random_boundary(rng, &s);
            s.insert(at, random_char(rng));
            s
        }
    }
}

fn count_nodes(v: &Value) -> usize {
    1 + match v {
        Value::Array(items) => items.iter().map(count_nodes).sum(),
        Value::Object(map) => map.values().map(count_nodes).sum(),
        _ => 0,
    }
}

fn nth_node(v: &Value, k: &mut usize) -> Option<Value> {
    if *k == 0 {
        return Some(v.clone());
    }
    *k -= 1;
    match v {
        Value::Array(items) => items.iter().find_map(|x| nth_node(x, k)),
        Value::Object(map) => map.values().find_map(|x| nth_node(x, k)),
        _ => None,
    }
}

fn nth_node_mut<'a>(v: &'a mut Value, k: &mut usize) -> Option<&'a mut Value> {
    if *k == 0 {
        return Some(v);
    }
    *k -= 1;
    match v {
        Value::Array(items) => {
            for x in items {
                if let Some(found) = nth_node_mut(x, k) {
                    return Some(found);
                }
            }
            None
        }
        Value::Object(map) => {
            for x in map.values_mut() {
                if let Some(found) = nth_node_mut(x, k) {
                    return Some(found);
                }
            }
            None
        }
        _ => None,
    }
}

/// A random node of a random seed value (definitions, inputs, JSONata data).
pub fn random_subtree(rng: &mut Rng, corpus: &Corpus) -> Value {
    let value = rng.pick(&corpus.values);
    let mut k = rng.below(count_nodes(value));
    nth_node(value, &mut k).unwrap_or(Value::Null)
}

pub fn extreme_number(rng: &mut Rng) -> Value {
    let number = rng.pick_str(NUMBERS);
    serde_json::from_str(number).unwrap_or(Value::Null)
}

fn perturb_number(rng: &mut Rng, n: &Number) -> Value {
    let f = n.as_f64().unwrap_or(0.0);
    let value = match rng.below(6) {
        0 => Number::from_f64(f + 1.0),
        1 => Number::from_f64(-f),
        2 => Number::from_f64(f * 1e10),
        3 => Number::from_f64(f.trunc()), // `10.0` for `10`
        4 => n.as_i64().map(|i| Number::from(i.wrapping_sub(1))),
        _ => n
            .as_u64()
            .map(|u| Number::from(u.wrapping_add(u64::MAX / 2))),
    };
    value
        .map(Value::Number)
        .unwrap_or_else(|| extreme_number(rng))
}

/// A string worth putting in a definition: a seed string, sometimes mutated, sometimes as JSONata.
pub fn random_string(rng: &mut Rng, corpus: &Corpus) -> String {
    let s = corpus.any_string(rng).to_owned();
    match rng.below(4) {
        0 => mutate_text(rng, &s, corpus),
        1 => format!("{{% {} %}}", rng.pick(&corpus.jsonata).expr),
        _ => s,
    }
}

/// A value to put somewhere: a number at the edges, a string, a subtree of a seed, a constant.
pub fn random_value(rng: &mut Rng, corpus: &Corpus) -> Value {
    match rng.below(5) {
        0 => extreme_number(rng),
        1 | 2 => Value::String(random_string(rng, corpus)),
        3 => random_subtree(rng, corpus),
        _ => rng
            .pick(&[
                Value::Null,
                Value::Bool(true),
                Value::Bool(false),
                Value::Object(Map::new()),
                Value::Array(Vec::new()),
                Value::String(String::new()),
            ])
            .clone(),
    }
}

/// Some mutations of a JSON tree (one to several, stacked).
pub fn mutate_json(rng: &mut Rng, value: &mut Value, corpus: &Corpus) {
    for _ in 0..rng.log_size(6) {
        mutate_json_once(rng, value, corpus);
    }
}

fn mutate_json_once(rng: &mut Rng, value: &mut Value, corpus: &Corpus) {
    let mut k = rng.below(count_nodes(value));
    let Some(node) = nth_node_mut(value, &mut k) else {
        return;
    };
    match (rng.below(12), &mut *node) {
        (0..=4, Value::String(s)) => *s = mutate_text(rng, s, corpus),
        (0..=2, Value::Number(n)) => *node = perturb_number(rng, n),
        (0..=2, Value::Object(map)) => {
            // Add a member, remove one or rename one.
            match rng.below(3) {
                0 => {
                    let key = rng.pick(&corpus.keys).clone();
                    map.insert(key, random_value(rng, corpus));
                }
                1 if !map.is_empty() => {
                    let key = map
                        .keys()
                        .nth(rng.below(map.len()))
                        .cloned()
                        .unwrap_or_default();
                    map.shift_remove(&key);
                }
                _ if !map.is_empty() => {
                    let key = map
                        .keys()
                        .nth(rng.below(map.len()))
                        .cloned()
                        .unwrap_or_default();
                    let v = map.shift_remove(&key).unwrap_or_default();
                    let renamed = if rng.chance(1, 2) {
                        mutate_text(rng, &key, corpus)
                    } else {
                        rng.pick(&corpus.keys).clone()
                    };
                    map.insert(renamed, v);
                }
                _ => {}
            }
        }
        (0..=2, Value::Array(items)) => match rng.below(3) {
            0 if !items.is_empty() => {
                items.remove(rng.below(items.len()));
            }
            1 if !items.is_empty() => {
                let i = rng.below(items.len());
                let copy = items[i].clone();
                items.insert(i, copy);
            }
            _ => items.insert(rng.below(items.len() + 1), random_value(rng, corpus)),
        },
        (5 | 6, _) => *node = extreme_number(rng),
        (7, _) => *node = Value::String(random_string(rng, corpus)),
        (8, _) => *node = random_subtree(rng, corpus),
        (9, _) => {
            // Nesting (serde_json's reader stops at 128 levels; go around it).
            let depth = rng.log_size(160);
            let mut nested = std::mem::take(node);
            for _ in 0..depth {
                nested = if rng.chance(1, 2) {
                    Value::Array(vec![nested])
                } else {
                    let key = rng.pick(&["a", "Branches", "States", "And", "Not", "Payload"]);
                    Value::Object(Map::from_iter([(key.to_string(), nested)]))
                };
            }
            *node = nested;
        }
        _ => *node = random_value(rng, corpus),
    }
}
