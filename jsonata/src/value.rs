//! The evaluator's value model: JSON values plus `Undefined` (JSONata's "no value"), sequences (arrays produced by
//! path navigation, which flatten and unwrap when they hold one item) and functions. Arrays and objects are shared
//! (`Rc`) because path navigation copies references to sub-documents constantly.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use indexmap::IndexMap;

use crate::parser::Node;
use crate::Error;

pub type Map = IndexMap<String, Value>;

/// How an array came to be, which decides flattening.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ArrFlags {
    /// A result sequence (from path navigation); unwraps when singleton.
    pub sequence: bool,
    /// Marked with `[]`: never unwrap.
    pub keep: bool,
    /// Built by an array constructor `[...]`: not flattened by path steps.
    pub cons: bool,
    /// The wrapper put around an array given as the whole input, so that paths do not iterate over it.
    pub outer: bool,
}

#[derive(Clone, Debug, Default)]
pub enum Value {
    #[default]
    Undefined,
    Null,
    Bool(bool),
    Number(f64),
    String(Rc<str>),
    Array(Rc<Vec<Value>>, ArrFlags),
    Object(Rc<Map>),
    Function(Rc<Func>),
}

pub type NativeFn =
    Arc<dyn Fn(&[serde_json::Value]) -> Result<serde_json::Value, Error> + Send + Sync>;

pub enum Func {
    Lambda {
        params: Vec<String>,
        body: Arc<Node>,
        env: Env,
        input: Value,
        signature: Option<Rc<crate::functions::Signature>>,
    },
    Builtin {
        name: &'static str,
        signature: Rc<crate::functions::Signature>,
    },
    Native {
        name: String,
        f: NativeFn,
        signature: Option<Arc<crate::functions::Signature>>,
    },
    Partial {
        func: Value,
        args: Vec<Option<Value>>,
    },
    Regex(Arc<Regex>),
    /// `f ~> g` with two functions: a new function applying `f` then `g`.
    Compose(Value, Value),
    /// A transform expression `| pattern | update, delete |`.
    Transform {
        pattern: Arc<Node>,
        update: Arc<Node>,
        delete: Option<Arc<Node>>,
        env: Env,
    },
}

impl std::fmt::Debug for Func {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<function>")
    }
}

/// A compiled JavaScript-style regular expression.
#[derive(Debug)]
pub struct Regex {
    pub re: fancy_regex::Regex,
}

impl Regex {
    pub fn new(pattern: &str, flags: &str) -> Result<Regex, Error> {
        let mut prefix = String::new();
        if flags.contains('i') {
            prefix.push_str("(?i)");
        }
        if flags.contains('m') {
            prefix.push_str("(?m)");
        }
        if flags.contains('s') {
            prefix.push_str("(?s)");
        }
        let re = fancy_regex::Regex::new(&format!("{prefix}{pattern}"))
            .map_err(|e| Error::new("S0301", format!("Invalid regular expression: {e}")))?;
        Ok(Regex { re })
    }
}

/// Variable scope: a chain of frames.
#[derive(Clone, Default)]
pub struct Env(pub Rc<Frame>);

#[derive(Default)]
pub struct Frame {
    pub vars: RefCell<HashMap<String, Value>>,
    pub parent: Option<Env>,
}

impl Env {
    pub fn child(&self) -> Env {
        Env(Rc::new(Frame {
            vars: RefCell::new(HashMap::new()),
            parent: Some(self.clone()),
        }))
    }
    pub fn lookup(&self, name: &str) -> Option<Value> {
        let mut f = &self.0;
        loop {
            if let Some(v) = f.vars.borrow().get(name) {
                return Some(v.clone());
            }
            match &f.parent {
                Some(p) => f = &p.0,
                None => return None,
            }
        }
    }
    pub fn bind(&self, name: &str, v: Value) {
        self.0.vars.borrow_mut().insert(name.to_string(), v);
    }
}

impl Value {
    pub fn str(s: &str) -> Value {
        Value::String(Rc::from(s))
    }
    pub fn array(v: Vec<Value>) -> Value {
        Value::Array(Rc::new(v), ArrFlags::default())
    }
    pub fn seq(v: Vec<Value>) -> Value {
        Value::Array(
            Rc::new(v),
            ArrFlags {
                sequence: true,
                ..ArrFlags::default()
            },
        )
    }
    pub fn is_undef(&self) -> bool {
        matches!(self, Value::Undefined)
    }
    pub fn is_array(&self) -> bool {
        matches!(self, Value::Array(..))
    }
    pub fn is_function(&self) -> bool {
        matches!(self, Value::Function(_))
    }
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
    /// Items of an array, or the value itself as one item (nothing for undefined).
    pub fn members(&self) -> Vec<Value> {
        match self {
            Value::Undefined => vec![],
            Value::Array(a, _) => a.as_ref().clone(),
            v => vec![v.clone()],
        }
    }

    /// Collapses a sequence: empty → undefined, singleton → its item (unless kept as an array).
    pub fn unwrap_seq(self) -> Value {
        match self {
            Value::Array(a, f) if f.sequence && !f.keep => match a.len() {
                0 => Value::Undefined,
                1 => a[0].clone(),
                _ => Value::Array(a, f),
            },
            v => v,
        }
    }

    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Undefined => "undefined",
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(..) => "array",
            Value::Object(_) => "object",
            Value::Function(_) => "function",
        }
    }

    pub fn from_json(v: &serde_json::Value) -> Value {
        match v {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::Number(n.as_f64().unwrap_or(0.0)),
            serde_json::Value::String(s) => Value::str(s),
            serde_json::Value::Array(a) => Value::array(a.iter().map(Value::from_json).collect()),
            serde_json::Value::Object(o) => Value::Object(Rc::new(
                o.iter()
                    .map(|(k, v)| (k.clone(), Value::from_json(v)))
                    .collect(),
            )),
        }
    }

    /// Converts to JSON; `None` for undefined. Functions become empty strings (as JSON.stringify drops them);
    /// undefined members of arrays/objects are dropped.
    pub fn to_json(&self) -> Option<serde_json::Value> {
        Some(match self {
            Value::Undefined => return None,
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => number_to_json(*n),
            Value::String(s) => serde_json::Value::String(s.to_string()),
            Value::Array(a, _) => {
                serde_json::Value::Array(a.iter().filter_map(|v| v.to_json()).collect())
            }
            Value::Object(o) => serde_json::Value::Object(
                o.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.to_json()?)))
                    .collect(),
            ),
            Value::Function(_) => serde_json::Value::String(String::new()),
        })
    }
}

pub fn number_to_json(n: f64) -> serde_json::Value {
    if n.fract() == 0.0 && n.abs() < 9.007_199_254_740_992e15 {
        serde_json::Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null)
    }
}

/// Deep equality as JSONata's `=` on arrays/objects (used by $distinct and friends).
pub fn deep_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Undefined, Value::Undefined) | (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Number(x), Value::Number(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Array(x, _), Value::Array(y, _)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(a, b)| deep_equal(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| deep_equal(v, w)))
        }
        (Value::Function(x), Value::Function(y)) => Rc::ptr_eq(x, y),
        _ => false,
    }
}
