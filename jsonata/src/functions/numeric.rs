//! Numeric functions and aggregations; the picture-string ones delegate to `crate::picture_adapter`.

use crate::evaluate::Ctx;
use crate::picture_adapter as pic;
use crate::value::Value;
use crate::Error;

fn n(args: &[Value], i: usize) -> Option<f64> {
    args.get(i).and_then(|v| v.as_f64())
}

fn nums(v: &Value) -> Vec<f64> {
    v.members().iter().filter_map(|x| x.as_f64()).collect()
}

fn finite(x: f64, code: &str) -> Result<Value, Error> {
    if x.is_finite() {
        Ok(Value::Number(x))
    } else {
        Err(Error::new(code.to_string(), "Number out of range"))
    }
}

pub fn call(ctx: &mut Ctx, name: &str, args: &[Value]) -> Result<Option<Value>, Error> {
    let first = args.first().cloned().unwrap_or_default();
    let v = match name {
        "random" => {
            // xorshift64*, seeded once per evaluation
            let mut x = ctx.rng_state;
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            ctx.rng_state = x;
            Value::Number(
                (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64,
            )
        }
        "sum" | "max" | "min" | "average" if first.is_undef() => Value::Undefined,
        "sum" => Value::Number(nums(&first).iter().sum()),
        "max" => nums(&first)
            .into_iter()
            .reduce(f64::max)
            .map(Value::Number)
            .unwrap_or_default(),
        "min" => nums(&first)
            .into_iter()
            .reduce(f64::min)
            .map(Value::Number)
            .unwrap_or_default(),
        "average" => {
            let v = nums(&first);
            if v.is_empty() {
                Value::Undefined
            } else {
                Value::Number(v.iter().sum::<f64>() / v.len() as f64)
            }
        }
        _ if first.is_undef() => {
            return Ok(match name {
                "number" | "abs" | "floor" | "ceil" | "round" | "sqrt" | "power"
                | "formatNumber" | "formatBase" | "formatInteger" | "parseInteger"
                | "fromMillis" | "toMillis" => Some(Value::Undefined),
                _ => None,
            })
        }
        "number" => match &first {
            Value::Number(_) => first.clone(),
            Value::Bool(b) => Value::Number(if *b { 1.0 } else { 0.0 }),
            Value::String(s) => match parse_number(s) {
                Some(x) => finite(x, "D3030")?,
                None => {
                    return Err(Error::new(
                        "D3030",
                        format!("Unable to cast value to a number: {s}"),
                    ))
                }
            },
            _ => return Err(Error::new("D3030", "Unable to cast value to a number")),
        },
        "abs" => Value::Number(n(args, 0).unwrap_or(0.0).abs()),
        "floor" => Value::Number(n(args, 0).unwrap_or(0.0).floor()),
        "ceil" => Value::Number(n(args, 0).unwrap_or(0.0).ceil()),
        "sqrt" => {
            let x = n(args, 0).unwrap_or(0.0);
            if x < 0.0 {
                return Err(Error::new(
                    "D3060",
                    "The sqrt function cannot be applied to a negative number",
                ));
            }
            Value::Number(x.sqrt())
        }
        "power" => {
            let (b, e) = (n(args, 0).unwrap_or(0.0), n(args, 1).unwrap_or(0.0));
            let r = b.powf(e);
            if !r.is_finite() {
                return Err(Error::new("D3061", "The power function has resulted in a value that cannot be represented as a JSON number"));
            }
            Value::Number(r)
        }
        "round" => Value::Number(round(
            n(args, 0).unwrap_or(0.0),
            n(args, 1).unwrap_or(0.0) as i32,
        )),
        "formatNumber" => {
            let opts = match args.get(2).and_then(|o| o.to_json()) {
                Some(serde_json::Value::Object(m)) => Some(m),
                _ => None,
            };
            Value::str(&pic::format_number(
                n(args, 0).unwrap_or(0.0),
                args.get(1).and_then(|v| v.as_str()).unwrap_or(""),
                opts.as_ref(),
            )?)
        }
        "formatBase" => Value::str(&pic::format_base(n(args, 0).unwrap_or(0.0), n(args, 1))?),
        "formatInteger" => Value::str(&pic::format_integer(
            n(args, 0).unwrap_or(0.0),
            args.get(1).and_then(|v| v.as_str()).unwrap_or(""),
        )?),
        "parseInteger" => {
            let text = first.as_str().unwrap_or("").to_string();
            pic::parse_integer(&text, args.get(1).and_then(|v| v.as_str()).unwrap_or(""))?
                .map(Value::Number)
                .unwrap_or_default()
        }
        "fromMillis" => Value::str(&pic::from_millis(
            n(args, 0).unwrap_or(0.0),
            args.get(1).and_then(|v| v.as_str()),
            args.get(2).and_then(|v| v.as_str()),
        )?),
        "toMillis" => {
            let text = first.as_str().unwrap_or("").to_string();
            pic::to_millis(&text, args.get(1).and_then(|v| v.as_str()))?
                .map(Value::Number)
                .unwrap_or_default()
        }
        _ => return Ok(None),
    };
    Ok(Some(v))
}

/// Parses a string as `$number` does: JSON number syntax, or 0x/0o/0b integers.
fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim();
    for (prefix, radix) in [
        ("0x", 16),
        ("0X", 16),
        ("0o", 8),
        ("0O", 8),
        ("0b", 2),
        ("0B", 2),
    ] {
        if let Some(rest) = t.strip_prefix(prefix) {
            return i64::from_str_radix(rest, radix).ok().map(|v| v as f64);
        }
    }
    let body = t.strip_prefix('-').unwrap_or(t);
    let (mant, exp) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (int, frac) = mant.split_once('.').unwrap_or((mant, "0"));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let exp_ok = exp.is_none_or(|e| digits(e.strip_prefix(['+', '-']).unwrap_or(e)));
    if digits(int) && digits(frac) && exp_ok {
        t.parse().ok()
    } else {
        None
    }
}

/// Round half to even at `precision` decimal places, shifting in decimal (string) form to avoid binary error.
fn round(x: f64, precision: i32) -> f64 {
    let shift = |v: f64, by: i32| -> f64 {
        let e = format!("{v:e}");
        let (m, ex) = e.split_once('e').unwrap_or((&e, "0"));
        let ex: i32 = ex.parse().unwrap_or(0);
        format!("{m}e{}", ex.saturating_add(by))
            .parse()
            .unwrap_or(v)
    };
    let v = shift(x, precision);
    if !v.is_finite() {
        // More decimal places than a double has: nothing to round.
        return x;
    }
    let mut r = v.round();
    if (v - v.trunc()).abs() == 0.5 && r % 2.0 != 0.0 {
        r -= v.signum();
    }
    let out = shift(r, precision.saturating_neg());
    if out == 0.0 {
        0.0
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use crate::{Bindings, Expression};
    use serde_json::json;

    fn eval(expr: &str) -> Option<serde_json::Value> {
        Expression::parse(expr)
            .and_then(|e| e.evaluate(None, &Bindings::default()))
            .unwrap()
    }

    /// A huge precision overflowed the exponent arithmetic (found by stepfn-fuzz).
    #[test]
    fn round_with_extreme_precisions() {
        assert_eq!(eval("$round(10, 2854775807)"), Some(json!(10)));
        assert_eq!(eval("$round(10.5, 1e300)"), Some(json!(10.5)));
        assert_eq!(eval("$round(10, -2854775807)"), Some(json!(0)));
        assert_eq!(eval("$round(10, -1e300)"), Some(json!(0)));
        assert_eq!(eval("$round(1234.5678, 2)"), Some(json!(1234.57)));
        assert_eq!(eval("$round(1250, -2)"), Some(json!(1200)));
    }
}
