//! String functions, including the regex-based ones ($match, $replace, $contains, $split) and the encodings.
//! Positions and lengths count UTF-16 code units... approximated here by Unicode scalar values (chars), which
//! agrees with JavaScript outside the astral planes.

use std::rc::Rc;

use crate::evaluate::Ctx;
use crate::value::{Func, Map, Regex, Value};
use crate::Error;

fn s(args: &[Value], i: usize) -> Option<&str> {
    args.get(i).and_then(|v| v.as_str())
}

fn n(args: &[Value], i: usize) -> Option<f64> {
    args.get(i).and_then(|v| v.as_f64())
}

pub fn call(ctx: &mut Ctx, name: &str, args: &[Value]) -> Result<Option<Value>, Error> {
    let undefined_input = args.first().is_none_or(|v| v.is_undef());
    if name == "join" {
        if undefined_input {
            return Ok(Some(Value::Undefined));
        }
        let sep = s(args, 1).unwrap_or("");
        let parts: Vec<String> = args[0]
            .members()
            .iter()
            .map(|v| v.as_str().unwrap_or("").to_string())
            .collect();
        return Ok(Some(Value::str(&parts.join(sep))));
    }
    let str_fns = [
        "substring",
        "substringBefore",
        "substringAfter",
        "lowercase",
        "uppercase",
        "length",
        "trim",
        "pad",
        "match",
        "contains",
        "replace",
        "split",
        "base64encode",
        "base64decode",
        "encodeUrlComponent",
        "encodeUrl",
        "decodeUrlComponent",
        "decodeUrl",
    ];
    if !str_fns.contains(&name) {
        return Ok(None);
    }
    if undefined_input {
        return Ok(Some(Value::Undefined));
    }
    let text = s(args, 0).unwrap_or("").to_string();
    let v =
        match name {
            "length" => Value::Number(text.chars().count() as f64),
            "uppercase" => Value::str(&text.to_uppercase()),
            "lowercase" => Value::str(&text.to_lowercase()),
            "trim" => {
                let words: Vec<&str> = text
                    .split([' ', '\t', '\n', '\r'])
                    .filter(|w| !w.is_empty())
                    .collect();
                Value::str(&words.join(" "))
            }
            "substring" => {
                let chars: Vec<char> = text.chars().collect();
                let len = chars.len() as f64;
                let mut start = n(args, 1).unwrap_or(0.0);
                if start < 0.0 {
                    start = (len + start).max(0.0);
                }
                let end = match n(args, 2) {
                    Some(l) => {
                        if l <= 0.0 {
                            return Ok(Some(Value::str("")));
                        }
                        (start + l).trunc().min(len)
                    }
                    None => len,
                };
                let start = start.trunc().min(len) as usize;
                let end = (end.max(0.0) as usize).max(start);
                Value::str(&chars[start..end].iter().collect::<String>())
            }
            "substringBefore" => {
                let sep = s(args, 1).unwrap_or("");
                Value::str(match text.find(sep) {
                    Some(i) => &text[..i],
                    None => &text,
                })
            }
            "substringAfter" => {
                let sep = s(args, 1).unwrap_or("");
                Value::str(match text.find(sep) {
                    Some(i) => &text[i + sep.len()..],
                    None => &text,
                })
            }
            "pad" => {
                let width = n(args, 1).unwrap_or(0.0);
                let padch = match s(args, 2) {
                    Some(p) if !p.is_empty() => p.to_string(),
                    _ => " ".to_string(),
                };
                let len = text.chars().count() as i64;
                let w = width.abs().trunc() as i64;
                if w > MAX_PAD {
                    return Err(Error::new(
                        "U1002",
                        format!("$pad width {w} exceeds the limit of {MAX_PAD}"),
                    ));
                }
                if w <= len {
                    return Ok(Some(Value::str(&text)));
                }
                let padding: String = padch.chars().cycle().take((w - len) as usize).collect();
                Value::str(&if width < 0.0 {
                    padding + &text
                } else {
                    text + &padding
                })
            }
            "contains" => match &args[1] {
                Value::Undefined => Value::Undefined,
                Value::String(p) => Value::Bool(text.contains(&**p)),
                Value::Function(f) => match &**f {
                    Func::Regex(re) => Value::Bool(re.re.is_match(&text).unwrap_or(false)),
                    _ => Value::Bool(!matches_of(ctx, &args[1], &text, None)?.is_empty()),
                },
                _ => {
                    return Err(Error::new(
                        "T0410",
                        "Argument 2 of function contains does not match function signature",
                    ))
                }
            },
            "split" => {
                let limit = n(args, 2);
                if limit.is_some_and(|l| l < 0.0) {
                    return Err(Error::new(
                        "D3020",
                        "Third argument of split function must evaluate to a positive number",
                    ));
                }
                let mut parts: Vec<Value> = match &args[1] {
                    Value::String(sep) => {
                        if sep.is_empty() {
                            text.chars().map(|c| Value::str(&c.to_string())).collect()
                        } else {
                            text.split(&**sep).map(Value::str).collect()
                        }
                    }
                    f => {
                        let ms = matches_of(ctx, f, &text, None)?;
                        let mut out = vec![];
                        let mut last = 0;
                        for m in ms {
                            // A custom matcher's matches may overlap or run backwards.
                            let start = m.start.max(last);
                            out.push(Value::str(&text[last..start]));
                            last = m.end.max(start);
                        }
                        out.push(Value::str(&text[last..]));
                        out
                    }
                };
                if let Some(l) = limit {
                    parts.truncate(l.floor() as usize);
                }
                Value::array(parts)
            }
            "match" => {
                let limit = n(args, 2);
                if limit.is_some_and(|l| l < 0.0) {
                    return Err(Error::new(
                        "D3040",
                        "Third argument of match function must evaluate to a positive number",
                    ));
                }
                let ms = matches_of(ctx, &args[1], &text, limit.map(|l| l.floor() as usize))?;
                let out: Vec<Value> = ms.into_iter().map(|m| m.to_value(&text)).collect();
                Value::seq(out)
            }
            "replace" => {
                let limit = n(args, 3);
                if limit.is_some_and(|l| l < 0.0) {
                    return Err(Error::new(
                        "D3011",
                        "Fourth argument of replace function must evaluate to a positive number",
                    ));
                }
                let limit = limit.map(|l| l.floor() as usize);
                let ms = match &args[1] {
                    Value::String(p) => {
                        if p.is_empty() {
                            return Err(Error::new(
                                "D3010",
                                "Second argument of replace function cannot be an empty string",
                            ));
                        }
                        text.match_indices(&**p)
                            .take(limit.unwrap_or(usize::MAX))
                            .map(|(i, m)| Match {
                                start: i,
                                end: i + m.len(),
                                groups: vec![],
                            })
                            .collect()
                    }
                    f => matches_of(ctx, f, &text, limit)?,
                };
                let mut out = String::new();
                let mut last = 0;
                for m in ms {
                    if m.start < last {
                        // A custom matcher's matches may overlap or run backwards: skip those.
                        continue;
                    }
                    out.push_str(&text[last..m.start]);
                    match &args[2] {
                        Value::String(rep) => out.push_str(&expand(rep, &m, &text)),
                        f => {
                            let r = ctx.apply(f, vec![m.to_value(&text)], &Value::Undefined, 0)?;
                            match r {
                                Value::String(x) => out.push_str(&x),
                                _ => return Err(Error::new(
                                    "D3012",
                                    "Attempted to replace a matched string with a non-string value",
                                )),
                            }
                        }
                    }
                    last = m.end;
                }
                out.push_str(&text[last..]);
                Value::str(&out)
            }
            "base64encode" => Value::str(&base64_encode(text.as_bytes())),
            "base64decode" => Value::str(&String::from_utf8_lossy(&base64_decode(&text))),
            "encodeUrlComponent" => Value::str(&encode_uri(&text, "-_.!~*'()")?),
            "encodeUrl" => Value::str(&encode_uri(&text, "-_.!~*'();/?:@&=+$,#")?),
            "decodeUrlComponent" | "decodeUrl" => Value::str(&decode_uri(&text)?),
            _ => return Ok(None),
        };
    Ok(Some(v))
}

/// One regex match: byte offsets of the match and its capture groups.
pub struct Match {
    start: usize,
    end: usize,
    groups: Vec<Option<(usize, usize)>>,
}

impl Match {
    fn to_value(&self, text: &str) -> Value {
        let mut o = Map::new();
        o.insert("match".into(), Value::str(&text[self.start..self.end]));
        o.insert(
            "index".into(),
            Value::Number(text[..self.start].chars().count() as f64),
        );
        o.insert(
            "groups".into(),
            Value::array(
                self.groups
                    .iter()
                    .map(|g| Value::str(g.map(|(a, b)| &text[a..b]).unwrap_or("")))
                    .collect(),
            ),
        );
        Value::Object(Rc::new(o))
    }
}

fn regex_matches(re: &Regex, text: &str, limit: Option<usize>) -> Result<Vec<Match>, Error> {
    let mut out = vec![];
    let mut pos = 0;
    while pos <= text.len() && limit.is_none_or(|l| out.len() < l) {
        let caps = match re.re.captures_from_pos(text, pos) {
            Ok(Some(c)) => c,
            Ok(None) => break,
            Err(e) => {
                return Err(Error::new(
                    "D1004",
                    format!("Regular expression error: {e}"),
                ))
            }
        };
        let m = caps.get(0).expect("group 0");
        if m.start() == m.end() {
            return Err(Error::new(
                "D1004",
                "Regular expression matches zero length string",
            ));
        }
        let groups = (1..caps.len())
            .map(|i| caps.get(i).map(|g| (g.start(), g.end())))
            .collect();
        out.push(Match {
            start: m.start(),
            end: m.end(),
            groups,
        });
        pos = m.end();
    }
    Ok(out)
}

/// Matches of a regex (or a user function returning match objects) in `text`.
fn matches_of(
    ctx: &mut Ctx,
    f: &Value,
    text: &str,
    limit: Option<usize>,
) -> Result<Vec<Match>, Error> {
    if let Value::Function(func) = f {
        if let Func::Regex(re) = &**func {
            return regex_matches(re, text, limit);
        }
    }
    // custom matcher: a function returning {match, start, end, groups, next}
    let mut out = vec![];
    let mut r = ctx.apply(f, vec![Value::str(text)], &Value::Undefined, 0)?;
    if !matches!(r, Value::Undefined | Value::Object(_)) {
        return Err(Error::new("T1010", "The matcher function argument passed to function split does not return the correct object structure"));
    }
    while let Value::Object(o) = &r {
        if limit.is_some_and(|l| out.len() >= l) {
            break;
        }
        let to_byte = |ci: f64| {
            text.char_indices()
                .nth(ci as usize)
                .map(|(b, _)| b)
                .unwrap_or(text.len())
        };
        let start = to_byte(o.get("start").and_then(|v| v.as_f64()).unwrap_or(0.0));
        // The function's numbers are anything: a match never ends before it starts.
        let end = to_byte(o.get("end").and_then(|v| v.as_f64()).unwrap_or(0.0)).max(start);
        out.push(Match {
            start,
            end,
            groups: vec![],
        });
        match o.get("next") {
            Some(next) if next.is_function() => {
                r = ctx.apply(next, vec![], &Value::Undefined, 0)?
            }
            _ => break,
        }
    }
    Ok(out)
}

/// Expands `$0`, `$1`.. and `$$` in a replacement string.
fn expand(rep: &str, m: &Match, text: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = rep.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '$' && i + 1 < chars.len() {
            if chars[i + 1] == '$' {
                out.push('$');
                i += 2;
                continue;
            }
            if chars[i + 1].is_ascii_digit() {
                // longest group number that exists (at least one digit)
                let mut j = i + 1;
                let mut num = 0usize;
                let mut best: Option<(usize, usize)> = None;
                while j < chars.len() && chars[j].is_ascii_digit() {
                    num = num
                        .saturating_mul(10)
                        .saturating_add(chars[j].to_digit(10).unwrap_or(0) as usize);
                    if num <= m.groups.len() || best.is_none() {
                        best = Some((num, j + 1));
                    }
                    j += 1;
                }
                let (g, next) = best.expect("digit");
                if g == 0 {
                    out.push_str(&text[m.start..m.end]);
                } else if let Some(Some((a, b))) = m.groups.get(g - 1) {
                    out.push_str(&text[*a..*b]);
                }
                i = next;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// Calling a regex directly: the first match object, with a `next` function for the following one.
pub fn regex_match_object(
    re: &std::sync::Arc<Regex>,
    text: &str,
    _from: usize,
) -> Result<Value, Error> {
    let ms = regex_matches(re, text, Some(1))?;
    Ok(match ms.first() {
        Some(m) => {
            let mut o = Map::new();
            o.insert("match".into(), Value::str(&text[m.start..m.end]));
            o.insert(
                "start".into(),
                Value::Number(text[..m.start].chars().count() as f64),
            );
            o.insert(
                "end".into(),
                Value::Number(text[..m.end].chars().count() as f64),
            );
            o.insert(
                "groups".into(),
                Value::array(
                    m.groups
                        .iter()
                        .map(|g| Value::str(g.map(|(a, b)| &text[a..b]).unwrap_or("")))
                        .collect(),
                ),
            );
            Value::Object(Rc::new(o))
        }
        None => Value::Undefined,
    })
}

/// Largest width `$pad` will produce (a guard against exhausting memory).
const MAX_PAD: i64 = 10_000_000;

const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn base64_decode(text: &str) -> Vec<u8> {
    let mut out = vec![];
    let mut buf = 0u32;
    let mut bits = 0;
    for c in text.bytes() {
        let Some(v) = B64.iter().position(|&x| x == c) else {
            continue;
        };
        buf = buf << 6 | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
        }
    }
    out
}

fn encode_uri(text: &str, keep: &str) -> Result<String, Error> {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || keep.contains(c) {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    Ok(out)
}

fn decode_uri(text: &str) -> Result<String, Error> {
    let b = text.as_bytes();
    let mut out = vec![];
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = text
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            match hex {
                Some(v) => out.push(v),
                None => return Err(Error::new("D3140", "Malformed URL passed to decode")),
            }
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| Error::new("D3140", "Malformed URL passed to decode"))
}

#[cfg(test)]
mod tests {
    use crate::{Bindings, Expression};
    use serde_json::json;

    fn eval(expr: &str) -> Result<Option<serde_json::Value>, String> {
        Expression::parse(expr)
            .and_then(|e| e.evaluate(None, &Bindings::default()))
            .map_err(|e| e.code)
    }

    /// A custom matcher's `start`/`end` are whatever the function returns: a match ending before it starts, or
    /// matches running backwards, sliced the text out of order and panicked (found by stepfn-fuzz).
    #[test]
    fn custom_matchers_with_odd_offsets_do_not_panic() {
        let backwards = "function($s){ {'match': 'ra', 'start': 2} }";
        assert!(eval(&format!("$match('abracadabra', {backwards})")).is_ok());
        let overlapping = "function($s){ {'match': 'b', 'start': 5, 'end': 6, \
            'next': function(){ {'match': 'b', 'start': 1, 'end': 2} }} }";
        assert_eq!(
            eval(&format!("$split('abracadabra', {overlapping})")),
            Ok(Some(json!(["abrac", "", "dabra"])))
        );
        assert_eq!(
            eval(&format!("$replace('abracadabra', {overlapping}, '-')")),
            Ok(Some(json!("abrac-dabra")))
        );
        assert!(eval("$split('abc', function($s){ {'start': -1e300, 'end': 1e300} })").is_ok());
    }

    /// `$999...` in a replacement names a group by its longest existing prefix; a long number overflowed.
    #[test]
    fn long_group_references_do_not_overflow() {
        // `$9` (no such group: nothing), then the other 39 nines as they are.
        let replacement = format!("${}", "9".repeat(40));
        assert_eq!(
            eval(&format!("$replace('abc', /(b)/, '{replacement}')")),
            Ok(Some(json!(format!("a{}c", "9".repeat(39)))))
        );
        assert_eq!(
            eval("$replace('abc', /(b)/, '$1$0$$')"),
            Ok(Some(json!("abb$c")))
        );
    }
}
