//! The built-in function library: signatures (JSONata's `<s-nn?:s>` notation, validated before each call), the
//! name → implementation table, and the conversions every group shares ($boolean casting, $string formatting).
//! Implementations live in one module per family.

mod collection;
mod numeric;
mod string;

use std::rc::Rc;

use crate::evaluate::Ctx;
use crate::value::{Func, Value};
use crate::Error;

pub use string::regex_match_object;

/// One parameter of a signature.
#[derive(Debug, Clone)]
struct Param {
    types: String,
    sub: Option<String>,
    optional: bool,
    variadic: bool,
    context: bool,
}

/// A parsed function signature.
#[derive(Debug, Clone)]
pub struct Signature {
    params: Vec<Param>,
}

impl Signature {
    pub fn parse(text: &str) -> Result<Signature, Error> {
        let chars: Vec<char> = text.chars().collect();
        let mut params: Vec<Param> = vec![];
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            match c {
                ':' => break,
                '?' | '+' | '-' => {
                    let Some(p) = params.last_mut() else {
                        return Err(Error::new("S0401", "Invalid signature"));
                    };
                    match c {
                        '?' => p.optional = true,
                        '+' => p.variadic = true,
                        _ => p.context = true,
                    }
                    i += 1;
                }
                '(' => {
                    let end = chars[i..]
                        .iter()
                        .position(|&c| c == ')')
                        .map(|e| e + i)
                        .ok_or_else(|| Error::new("S0401", "Invalid signature"))?;
                    let group: String = chars[i + 1..end].iter().collect();
                    if group.contains('<') {
                        return Err(Error::new(
                            "S0402",
                            "Choice groups containing parameterized types are not supported",
                        ));
                    }
                    params.push(Param {
                        types: chars[i + 1..end].iter().collect(),
                        sub: None,
                        optional: false,
                        variadic: false,
                        context: false,
                    });
                    i = end + 1;
                }
                '<' => {
                    let mut depth = 0;
                    let mut end = i;
                    for (j, &c) in chars.iter().enumerate().skip(i) {
                        if c == '<' {
                            depth += 1;
                        } else if c == '>' {
                            depth -= 1;
                            if depth == 0 {
                                end = j;
                                break;
                            }
                        }
                    }
                    if end == i {
                        return Err(Error::new("S0401", "Invalid signature"));
                    }
                    let Some(p) = params.last_mut() else {
                        return Err(Error::new("S0401", "Invalid signature"));
                    };
                    if p.types == "a" {
                        p.sub = Some(chars[i + 1..end].iter().collect());
                    } else if p.types != "f" {
                        return Err(Error::new(
                            "S0401",
                            "Type parameters can only be applied to functions and arrays",
                        ));
                    }
                    i = end + 1;
                }
                'b' | 'n' | 's' | 'l' | 'a' | 'o' | 'f' | 'j' | 'x' | 'u' => {
                    params.push(Param {
                        types: c.to_string(),
                        sub: None,
                        optional: false,
                        variadic: false,
                        context: false,
                    });
                    i += 1;
                }
                _ => {
                    return Err(Error::new(
                        "S0401",
                        format!("Unknown type in signature: {c}"),
                    ))
                }
            }
        }
        Ok(Signature { params })
    }

    /// Number of parameters that are neither optional nor filled from the context.
    pub fn required(&self) -> usize {
        self.params.iter().filter(|p| !p.optional).count()
    }

    /// Checks and adapts arguments: when they do not fit and a parameter takes the context (`-`), retries with
    /// the context inserted there.
    pub fn validate(
        &self,
        args: Vec<Value>,
        context: &Value,
        name: &str,
    ) -> Result<Vec<Value>, Error> {
        let context = match context {
            Value::Array(a, f) if f.outer => a.first().cloned().unwrap_or_default(),
            v => v.clone(),
        };
        let ctx_param = self.params.iter().position(|p| p.context);
        let required = self.required();
        if let Some(cp) = ctx_param {
            if args.len() < required && cp <= args.len() {
                let mut with = args.clone();
                with.insert(cp, context.clone());
                return self.validate_plain(with, name).map_err(|e| if e.code == "T0410" && !context.is_undef() && !type_matches(&self.params[cp].types, &context) { Error::new("T0411", format!("Context value is not a compatible type with argument {} of function {name}", cp + 1)) } else { e });
            }
        }
        let first = match self.validate_plain(args.clone(), name) {
            Ok(v) => return Ok(v),
            Err(e) => match ctx_param {
                Some(cp) if cp <= args.len() && args.len() < self.params.len() => {
                    let mut with = args.clone();
                    with.insert(cp, context.clone());
                    self.validate_plain(with, name).map_err(|_| e)
                }
                _ => Err(e),
            },
        };
        let Err(e) = first else { return first };
        if e.code != "T0410" {
            return Err(e);
        }
        // The simple left-to-right reading failed: search all ways of distributing the arguments over the
        // parameters (as a regular expression over argument types would), before reporting the error.
        let mut assignment = vec![];
        if !self.backtrack(0, &args, 0, &context, &mut assignment) {
            return Err(e);
        }
        let mut out = vec![];
        for (ai, (pi, v)) in assignment.into_iter().enumerate() {
            let p = &self.params[pi];
            match (&p.sub, &v) {
                (Some(sub), Value::Array(items, _))
                    if items.iter().any(|x| !type_matches(sub, x)) =>
                {
                    return Err(Error::new(
                        "T0412",
                        format!(
                            "Argument {} of function {name} must be an array of {}",
                            ai + 1,
                            type_word(sub)
                        ),
                    ));
                }
                (_, v) if p.types == "a" && !v.is_array() && !v.is_undef() => {
                    out.push(Value::array(vec![v.clone()]))
                }
                _ => out.push(v),
            }
        }
        Ok(out)
    }

    /// Backtracking match of arguments `args[ai..]` against parameters `params[pi..]`; records (param, value).
    fn backtrack(
        &self,
        pi: usize,
        args: &[Value],
        ai: usize,
        context: &Value,
        out: &mut Vec<(usize, Value)>,
    ) -> bool {
        let Some(p) = self.params.get(pi) else {
            return ai == args.len();
        };
        let mark = out.len();
        let max = if p.variadic {
            args.len() - ai
        } else {
            (args.len() - ai).min(1)
        };
        for take in (1..=max).rev() {
            if args[ai..ai + take]
                .iter()
                .all(|a| type_matches(&p.types, a))
            {
                out.extend(args[ai..ai + take].iter().map(|a| (pi, a.clone())));
                if self.backtrack(pi + 1, args, ai + take, context, out) {
                    return true;
                }
                out.truncate(mark);
            }
        }
        if p.context && (context.is_undef() || type_matches(&p.types, context)) {
            out.push((pi, context.clone()));
            if self.backtrack(pi + 1, args, ai, context, out) {
                return true;
            }
            out.truncate(mark);
        }
        if p.optional && self.backtrack(pi + 1, args, ai, context, out) {
            return true;
        }
        out.truncate(mark);
        false
    }

    /// Checks and adapts arguments: fills context arguments, wraps single values for array parameters.
    fn validate_plain(&self, args: Vec<Value>, name: &str) -> Result<Vec<Value>, Error> {
        let mut out = vec![];
        let mut ai = 0;
        for p in &self.params {
            if p.variadic {
                let start = ai;
                while ai < args.len() && type_matches(&p.types, &args[ai]) {
                    out.push(args[ai].clone());
                    ai += 1;
                }
                if ai == start && !p.optional {
                    return Err(mismatch(name, ai));
                }
                continue;
            }
            match args.get(ai) {
                None => {
                    if p.optional {
                        break;
                    }
                    return Err(mismatch(name, ai));
                }
                Some(a) => {
                    if type_matches(&p.types, a) {
                        let a = match (&p.sub, a) {
                            (Some(sub), Value::Array(items, _)) => {
                                if items.iter().any(|x| !type_matches(sub, x)) {
                                    return Err(Error::new(
                                        "T0412",
                                        format!(
                                            "Argument {} of function {name} must be an array of {}",
                                            ai + 1,
                                            type_word(sub)
                                        ),
                                    ));
                                }
                                a.clone()
                            }
                            (sub, v)
                                if p.types.contains('a')
                                    && !v.is_array()
                                    && !v.is_undef()
                                    && !p.types.contains(type_char(v)) =>
                            {
                                if let Some(sub) = sub {
                                    if !type_matches(sub, v) {
                                        return Err(Error::new("T0412", format!("Argument {} of function {name} must be an array of {}", ai + 1, type_word(sub))));
                                    }
                                }
                                Value::array(vec![v.clone()])
                            }
                            _ => a.clone(),
                        };
                        out.push(a);
                        ai += 1;
                    } else {
                        return Err(mismatch(name, ai));
                    }
                }
            }
        }
        if ai < args.len() {
            return Err(mismatch(name, ai));
        }
        Ok(out)
    }
}

fn mismatch(name: &str, ai: usize) -> Error {
    Error::new(
        "T0410",
        format!(
            "Argument {} of function {name} does not match function signature",
            ai + 1
        ),
    )
}

fn type_word(t: &str) -> &'static str {
    match t {
        "n" => "numbers",
        "s" => "strings",
        "o" => "objects",
        "b" => "booleans",
        _ => "values",
    }
}

fn type_char(v: &Value) -> char {
    match v {
        Value::Undefined => 'm',
        Value::Null => 'l',
        Value::Bool(_) => 'b',
        Value::Number(_) => 'n',
        Value::String(_) => 's',
        Value::Array(..) => 'a',
        Value::Object(_) => 'o',
        Value::Function(_) => 'f',
    }
}

fn type_matches(types: &str, v: &Value) -> bool {
    let c = type_char(v);
    c == 'm'
        || types.chars().any(|t| match t {
            'x' | 'a' => true,
            'j' => c != 'f',
            'u' => matches!(c, 'b' | 'n' | 's' | 'l'),
            t => t == c,
        })
}

const SIGNATURES: &[(&str, &str)] = &[
    ("sum", "a<n>:n"),
    ("count", "a:n"),
    ("max", "a<n>:n"),
    ("min", "a<n>:n"),
    ("average", "a<n>:n"),
    ("string", "x-b?:s"),
    ("substring", "s-nn?:s"),
    ("substringBefore", "s-s:s"),
    ("substringAfter", "s-s:s"),
    ("lowercase", "s-:s"),
    ("uppercase", "s-:s"),
    ("length", "s-:n"),
    ("trim", "s-:s"),
    ("pad", "s-ns?:s"),
    ("match", "s-fn?:a"),
    ("contains", "s-(sf):b"),
    ("replace", "s-(sf)(sf)n?:s"),
    ("split", "s-(sf)n?:a"),
    ("join", "a<s>s?:s"),
    ("formatNumber", "n-so?:s"),
    ("formatBase", "n-n?:s"),
    ("formatInteger", "n-s:s"),
    ("parseInteger", "s-s:n"),
    ("number", "(nsb)-:n"),
    ("floor", "n-:n"),
    ("ceil", "n-:n"),
    ("round", "n-n?:n"),
    ("abs", "n-:n"),
    ("sqrt", "n-:n"),
    ("power", "n-n:n"),
    ("random", ":n"),
    ("boolean", "x-:b"),
    ("not", "x-:b"),
    ("map", "af"),
    ("zip", "a+"),
    ("filter", "af"),
    ("single", "af?"),
    ("reduce", "afj?:j"),
    ("sift", "o-f?:o"),
    ("keys", "x-:a"),
    ("lookup", "x-s:x"),
    ("append", "xx:a"),
    ("exists", "x:b"),
    ("spread", "x-:a"),
    ("merge", "a<o>:o"),
    ("reverse", "a:a"),
    ("each", "o-f:a"),
    ("error", "s?:x"),
    ("assert", "bs?:x"),
    ("type", "x:s"),
    ("sort", "af?:a"),
    ("shuffle", "a:a"),
    ("distinct", "x:x"),
    ("base64encode", "s-:s"),
    ("base64decode", "s-:s"),
    ("encodeUrlComponent", "s-:s"),
    ("encodeUrl", "s-:s"),
    ("decodeUrlComponent", "s-:s"),
    ("decodeUrl", "s-:s"),
    ("eval", "sx?:x"),
    ("toMillis", "s-s?:n"),
    ("fromMillis", "n-s?s?:s"),
    ("clone", "(oa)-:(oa)"),
    ("now", "s?s?:s"),
    ("millis", ":n"),
];

thread_local! {
    static TABLE: std::collections::HashMap<&'static str, Value> = SIGNATURES
        .iter()
        .map(|(n, s)| (*n, Value::Function(Rc::new(Func::Builtin { name: n, signature: Rc::new(Signature::parse(s).expect("builtin signature")) }))))
        .collect();
}

/// The built-in function of that name, if any.
pub fn builtin(name: &str) -> Option<Value> {
    TABLE.with(|t| t.get(name).cloned())
}

pub fn call(ctx: &mut Ctx, name: &str, args: Vec<Value>, input: &Value) -> Result<Value, Error> {
    let arg = |i: usize| args.get(i).cloned().unwrap_or_default();
    match name {
        "boolean" => Ok(if arg(0).is_undef() {
            Value::Undefined
        } else {
            Value::Bool(boolean(&arg(0)))
        }),
        "not" => Ok(if arg(0).is_undef() {
            Value::Undefined
        } else {
            Value::Bool(!boolean(&arg(0)))
        }),
        "exists" => Ok(Value::Bool(!arg(0).is_undef())),
        "type" => Ok(if arg(0).is_undef() {
            Value::Undefined
        } else {
            Value::str(arg(0).type_name())
        }),
        "string" => {
            if arg(0).is_undef() {
                return Ok(Value::Undefined);
            }
            Ok(Value::str(&to_string(&arg(0), boolean(&arg(1)))?))
        }
        "error" => Err(Error::new(
            "D3137",
            arg(0)
                .as_str()
                .unwrap_or("$error() function evaluated")
                .to_string(),
        )),
        "assert" => {
            if !boolean(&arg(0)) {
                return Err(Error::new(
                    "D3141",
                    arg(1)
                        .as_str()
                        .unwrap_or("$assert() statement failed")
                        .to_string(),
                ));
            }
            Ok(Value::Undefined)
        }
        "now" => {
            let millis = ctx.now_millis;
            match (arg(0).as_str(), arg(1).as_str()) {
                (None, None) => {
                    crate::picture_adapter::from_millis(millis, None, None).map(|s| Value::str(&s))
                }
                (p, t) => crate::picture_adapter::from_millis(millis, p, t).map(|s| Value::str(&s)),
            }
        }
        "millis" => Ok(Value::Number(ctx.now_millis)),
        "eval" => {
            let Some(text) = arg(0).as_str().map(str::to_string) else {
                return Ok(Value::Undefined);
            };
            let ast = crate::parser::parse(&text).map_err(|e| {
                Error::new(
                    "D3120",
                    format!(
                        "Syntax error in expression passed to function eval: {}",
                        e.message
                    ),
                )
            })?;
            let ctxv = if args.len() > 1 {
                arg(1)
            } else {
                input.clone()
            };
            // the evaluated expression sees the host's variables, not the caller's local bindings
            let env = ctx.root_env.child();
            // any failure inside the evaluated expression is reported as D3121
            ctx.eval(&ast, &ctxv, &env).map_err(|e| {
                if e.code.starts_with('U') {
                    e
                } else {
                    Error::new("D3121", e.message)
                }
            })
        }
        _ => {
            if let Some(r) = string::call(ctx, name, &args)? {
                return Ok(r);
            }
            if let Some(r) = numeric::call(ctx, name, &args)? {
                return Ok(r);
            }
            if let Some(r) = collection::call(ctx, name, &args, input)? {
                return Ok(r);
            }
            Err(Error::new("T1006", format!("Unknown function {name}")))
        }
    }
}

/// JSONata's truthiness ($boolean).
pub fn boolean(v: &Value) -> bool {
    match v {
        Value::Undefined | Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => *n != 0.0,
        Value::String(s) => !s.is_empty(),
        Value::Array(a, _) => match a.len() {
            0 => false,
            1 => boolean(&a[0]),
            _ => a.iter().any(boolean),
        },
        Value::Object(o) => !o.is_empty(),
        Value::Function(_) => false,
    }
}

pub fn cmp_str(a: &str, b: &str) -> std::cmp::Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// Formats a number as JavaScript does (`Number.prototype.toString`).
pub fn js_number(n: f64) -> String {
    if n == 0.0 {
        return "0".into();
    }
    if n.fract() == 0.0 && n.abs() < 1e21 {
        return format!("{n:.0}");
    }
    let e = format!("{n:e}");
    let (mant, exp) = e.split_once('e').expect("exp format");
    let exp: i32 = exp.parse().unwrap_or(0);
    let neg = mant.starts_with('-');
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let k = digits.len() as i32;
    let sign = if neg { "-" } else { "" };
    let nexp = exp + 1;
    if nexp <= 21 && nexp > -6 {
        if nexp >= k {
            format!("{sign}{}{}", digits, "0".repeat((nexp - k) as usize))
        } else if nexp > 0 {
            format!(
                "{sign}{}.{}",
                &digits[..nexp as usize],
                &digits[nexp as usize..]
            )
        } else {
            format!("{sign}0.{}{}", "0".repeat((-nexp) as usize), digits)
        }
    } else {
        let m = if k == 1 {
            digits.clone()
        } else {
            format!("{}.{}", &digits[..1], &digits[1..])
        };
        let es = if exp >= 0 {
            format!("+{exp}")
        } else {
            exp.to_string()
        };
        format!("{sign}{m}e{es}")
    }
}

/// Rounds to 15 significant digits, as JSONata does before printing numbers.
pub fn precision15(n: f64) -> f64 {
    if n.fract() == 0.0 {
        return n;
    }
    format!("{n:.14e}").parse().unwrap_or(n)
}

/// $string semantics.
pub fn to_string(v: &Value, pretty: bool) -> Result<String, Error> {
    match v {
        Value::String(s) => Ok(s.to_string()),
        Value::Function(_) => Ok(String::new()),
        Value::Number(n) => {
            if !n.is_finite() {
                return Err(Error::new(
                    "D3001",
                    "Attempting to invoke string function on Infinity or NaN",
                ));
            }
            Ok(js_number(precision15(*n)))
        }
        v => {
            let mut out = String::new();
            write_json(v, pretty, 0, &mut out)?;
            Ok(out)
        }
    }
}

fn write_json(v: &Value, pretty: bool, indent: usize, out: &mut String) -> Result<(), Error> {
    match v {
        Value::Undefined | Value::Null => out.push_str("null"),
        Value::Function(_) => out.push_str("\"\""),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if !n.is_finite() {
                return Err(Error::new(
                    "D1001",
                    "Attempting to invoke string function on Infinity or NaN",
                ));
            }
            out.push_str(&js_number(precision15(*n)))
        }
        Value::String(s) => out.push_str(&serde_json::to_string(&**s).unwrap_or_default()),
        Value::Array(a, _) => {
            out.push('[');
            let items: Vec<&Value> = a.iter().filter(|x| !x.is_undef()).collect();
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if pretty {
                    out.push('\n');
                    out.push_str(&"  ".repeat(indent + 1));
                }
                write_json(x, pretty, indent + 1, out)?;
            }
            if pretty && !items.is_empty() {
                out.push('\n');
                out.push_str(&"  ".repeat(indent));
            }
            out.push(']');
        }
        Value::Object(o) => {
            out.push('{');
            let items: Vec<_> = o.iter().filter(|(_, x)| !x.is_undef()).collect();
            for (i, (k, x)) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if pretty {
                    out.push('\n');
                    out.push_str(&"  ".repeat(indent + 1));
                }
                out.push_str(&serde_json::to_string(k).unwrap_or_default());
                out.push(':');
                if pretty {
                    out.push(' ');
                }
                write_json(x, pretty, indent + 1, out)?;
            }
            if pretty && !items.is_empty() {
                out.push('\n');
                out.push_str(&"  ".repeat(indent));
            }
            out.push('}');
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_as_javascript_does() {
        for (n, s) in [
            (1e-6, "0.000001"),
            (1e-7, "1e-7"),
            (1e21, "1e+21"),
            (123.456, "123.456"),
            (-0.5, "-0.5"),
            (1e20, "100000000000000000000"),
        ] {
            assert_eq!(js_number(n), s, "{n}");
        }
    }

    #[test]
    fn signatures_fill_context_and_backtrack() {
        let sig = Signature::parse("s-nn?").expect("sig");
        let out = sig
            .validate(vec![Value::Number(1.0)], &Value::str("ctx"), "f")
            .expect("context used");
        assert_eq!(out.len(), 2);
        let sig = Signature::parse("n+n").expect("sig");
        let args = vec![Value::Number(1.0), Value::Number(2.0), Value::Number(3.0)];
        assert_eq!(
            sig.validate(args, &Value::Undefined, "f")
                .expect("backtracks")
                .len(),
            3
        );
        let sig = Signature::parse("a<n>").expect("sig");
        let err = sig
            .validate(
                vec![Value::array(vec![Value::str("x")])],
                &Value::Undefined,
                "f",
            )
            .expect_err("T0412");
        assert_eq!(err.code, "T0412");
        assert!(Signature::parse("q").is_err());
    }
}
