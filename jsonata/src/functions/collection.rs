//! Array, object and higher-order functions. Higher-order functions pass a callback only as many arguments
//! (value, index/key, whole) as it declares, as JSONata does.

use std::rc::Rc;

use crate::evaluate::Ctx;
use crate::value::{deep_equal, Func, Map, Value};
use crate::Error;

/// Number of parameters a function value declares.
fn arity(f: &Value) -> usize {
    match f {
        Value::Function(func) => match &**func {
            Func::Lambda { params, .. } => params.len(),
            Func::Partial { args, .. } => args.iter().filter(|a| a.is_none()).count(),
            Func::Builtin { signature, .. } => signature_len(signature),
            Func::Native { .. } => 1,
            Func::Regex(_) | Func::Compose(..) | Func::Transform { .. } => 1,
        },
        _ => 0,
    }
}

fn signature_len(s: &crate::functions::Signature) -> usize {
    s.required()
}

fn call_with(ctx: &mut Ctx, f: &Value, all: [Value; 3]) -> Result<Value, Error> {
    let k = arity(f).clamp(1, 3);
    let args: Vec<Value> = all.into_iter().take(k).collect();
    ctx.apply(f, args, &Value::Undefined, 0)
}

pub fn call(
    ctx: &mut Ctx,
    name: &str,
    args: &[Value],
    _input: &Value,
) -> Result<Option<Value>, Error> {
    let arg = |i: usize| args.get(i).cloned().unwrap_or_default();
    let first = arg(0);
    let v = match name {
        "count" => Value::Number(first.members().len() as f64),
        "append" => match (arg(0), arg(1)) {
            (Value::Undefined, b) => b,
            (a, Value::Undefined) => a,
            (a, b) => {
                let mut out = a.members();
                let more = b.members();
                crate::evaluate::within_item_limit(out.len() + more.len(), 0)?;
                out.extend(more);
                Value::array(out)
            }
        },
        "exists" => Value::Bool(!first.is_undef()),
        _ if first.is_undef() && name != "lookup" => return Ok(Some(Value::Undefined)),
        "reverse" => {
            let mut v = first.members();
            v.reverse();
            Value::array(v)
        }
        "shuffle" => {
            let mut v = first.members();
            for i in (1..v.len()).rev() {
                let j = (ctx
                    .rng_state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407)
                    >> 33) as usize
                    % (i + 1);
                ctx.rng_state = ctx
                    .rng_state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                v.swap(i, j);
            }
            Value::array(v)
        }
        "distinct" => {
            if !first.is_array() {
                return Ok(Some(first));
            }
            let mut out: Vec<Value> = vec![];
            for x in first.members() {
                if !out.iter().any(|y| deep_equal(&x, y)) {
                    out.push(x);
                }
            }
            Value::array(out)
        }
        "zip" => {
            let arrays: Vec<Vec<Value>> = args.iter().map(|a| a.members()).collect();
            let len = arrays.iter().map(|a| a.len()).min().unwrap_or(0);
            Value::array(
                (0..len)
                    .map(|i| Value::array(arrays.iter().map(|a| a[i].clone()).collect()))
                    .collect(),
            )
        }
        "sort" => {
            let items = first.members();
            let f = arg(1);
            if f.is_undef() {
                let all_num = items.iter().all(|v| matches!(v, Value::Number(_)));
                let all_str = items.iter().all(|v| matches!(v, Value::String(_)));
                if !all_num && !all_str {
                    return Err(Error::new("D3070", "The single argument form of the sort function can only be applied to an array of strings or an array of numbers.  Use the second argument to specify a comparison function"));
                }
                let mut items = items;
                items.sort_by(|a, b| match (a, b) {
                    (Value::Number(x), Value::Number(y)) => {
                        x.partial_cmp(y).unwrap_or(std::cmp::Ordering::Equal)
                    }
                    (Value::String(x), Value::String(y)) => crate::functions::cmp_str(x, y),
                    _ => std::cmp::Ordering::Equal,
                });
                Value::array(items)
            } else {
                Value::array(merge_sort(ctx, items, &f)?)
            }
        }
        "keys" => {
            let mut keys: Vec<String> = vec![];
            for x in first.members() {
                if let Value::Object(o) = x {
                    for k in o.keys() {
                        if !keys.contains(k) {
                            keys.push(k.clone());
                        }
                    }
                }
            }
            Value::seq(keys.iter().map(|k| Value::str(k)).collect())
        }
        "lookup" => {
            let key = arg(1).as_str().unwrap_or("").to_string();
            crate::evaluate::lookup(&first, &key)
        }
        "spread" => match &first {
            Value::Object(_) | Value::Array(..) => {
                let mut out = vec![];
                for x in first.members() {
                    match x {
                        Value::Object(o) => {
                            for (k, v) in o.iter() {
                                let mut m = Map::new();
                                m.insert(k.clone(), v.clone());
                                out.push(Value::Object(Rc::new(m)));
                            }
                        }
                        v => out.push(v),
                    }
                }
                Value::seq(out)
            }
            v => v.clone(),
        },
        "merge" => {
            let mut m = Map::new();
            for x in first.members() {
                if let Value::Object(o) = x {
                    for (k, v) in o.iter() {
                        m.insert(k.clone(), v.clone());
                    }
                }
            }
            Value::Object(Rc::new(m))
        }
        "each" => {
            let f = arg(1);
            let mut out = vec![];
            if let Value::Object(o) = &first {
                for (k, v) in o.iter() {
                    let r = call_with(ctx, &f, [v.clone(), Value::str(k), first.clone()])?;
                    if !r.is_undef() {
                        out.push(r);
                    }
                }
            }
            Value::seq(out)
        }
        "sift" => {
            let f = arg(1);
            let mut m = Map::new();
            if let Value::Object(o) = &first {
                for (k, v) in o.iter() {
                    let r = call_with(ctx, &f, [v.clone(), Value::str(k), first.clone()])?;
                    if crate::functions::boolean(&r) {
                        m.insert(k.clone(), v.clone());
                    }
                }
            }
            if m.is_empty() {
                Value::Undefined
            } else {
                Value::Object(Rc::new(m))
            }
        }
        "map" | "filter" => {
            let f = arg(1);
            let items = first.members();
            let whole = Value::array(items.clone());
            let mut out = vec![];
            for (i, x) in items.into_iter().enumerate() {
                let r = call_with(ctx, &f, [x.clone(), Value::Number(i as f64), whole.clone()])?;
                if name == "map" {
                    if !r.is_undef() {
                        out.push(r);
                    }
                } else if crate::functions::boolean(&r) {
                    out.push(x);
                }
            }
            Value::seq(out)
        }
        "single" => {
            let f = arg(1);
            let items = first.members();
            let whole = Value::array(items.clone());
            let mut found = None;
            for (i, x) in items.into_iter().enumerate() {
                let ok = if f.is_undef() {
                    true
                } else {
                    crate::functions::boolean(&call_with(
                        ctx,
                        &f,
                        [x.clone(), Value::Number(i as f64), whole.clone()],
                    )?)
                };
                if ok {
                    if found.is_some() {
                        return Err(Error::new("D3138", "The $single() function expected exactly 1 matching result.  Instead it matched more."));
                    }
                    found = Some(x);
                }
            }
            match found {
                Some(v) => v,
                None => return Err(Error::new("D3139", "The $single() function expected exactly 1 matching result.  Instead it matched 0.")),
            }
        }
        "reduce" => {
            let f = arg(1);
            if arity(&f) < 2 {
                return Err(Error::new("D3050", "The second argument of reduce function must be a function with at least two arguments"));
            }
            let items = first.members();
            let whole = Value::array(items.clone());
            let (mut acc, start) = if args.len() > 2 && !arg(2).is_undef() {
                (arg(2), 0)
            } else if items.is_empty() {
                return Ok(Some(Value::Undefined));
            } else {
                (items[0].clone(), 1)
            };
            for (i, x) in items.into_iter().enumerate().skip(start) {
                let k = arity(&f).min(4);
                let all = [acc, x, Value::Number(i as f64), whole.clone()];
                acc = ctx.apply(&f, all.into_iter().take(k).collect(), &Value::Undefined, 0)?;
            }
            acc
        }
        "clone" => Value::from_json(&first.to_json().unwrap_or(serde_json::Value::Null)),
        _ => return Ok(None),
    };
    Ok(Some(v))
}

/// Stable merge sort with a JSONata comparator: `f(a, b)` true means `a` goes after `b`.
fn merge_sort(ctx: &mut Ctx, items: Vec<Value>, f: &Value) -> Result<Vec<Value>, Error> {
    if items.len() <= 1 {
        return Ok(items);
    }
    let mut right = items;
    let left = right.drain(..right.len() / 2).collect();
    let left = merge_sort(ctx, left, f)?;
    let right = merge_sort(ctx, right, f)?;
    let mut out = Vec::with_capacity(left.len() + right.len());
    let (mut i, mut j) = (0, 0);
    while i < left.len() && j < right.len() {
        let swap = ctx.apply(
            f,
            vec![left[i].clone(), right[j].clone()],
            &Value::Undefined,
            0,
        )?;
        if crate::functions::boolean(&swap) {
            out.push(right[j].clone());
            j += 1;
        } else {
            out.push(left[i].clone());
            i += 1;
        }
    }
    out.extend_from_slice(&left[i..]);
    out.extend_from_slice(&right[j..]);
    Ok(out)
}
