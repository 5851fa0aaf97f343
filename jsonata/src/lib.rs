//! JSONata, the query and transformation language AWS Step Functions uses in `QueryLanguage: "JSONata"` states,
//! evaluated over `serde_json` values.
//!
//! Written in this project rather than taken from a crate: the available Rust implementation passes 72% of the
//! reference suite, panics on some inputs, aborts on deep recursion and orders object keys randomly (see
//! `shared/jsonata-test-suite/README.md`); Step Functions needs deterministic output, errors instead of crashes, and
//! its own functions (`$partition`, `$hash`, seeded `$random`, ...) bound per evaluation.

//!
//! ```
//! use stepfn_jsonata::{Bindings, Expression};
//! use serde_json::json;
//!
//! let expr = Expression::parse("items[price > 10].name").unwrap();
//! let input = json!({"items": [{"name": "a", "price": 5}, {"name": "b", "price": 20}]});
//! assert_eq!(expr.evaluate(Some(&input), &Bindings::default()).unwrap(), Some(json!("b")));
//! ```
//!
//! Layout: `lexer` → `parser` (Pratt parser building an AST in which paths carry their steps' predicates) →
//! `evaluate` (tree-walking evaluator over `value::Value`, which adds undefined, sequences and functions to JSON)
//! with the built-in library in `functions`; picture-string formatting lives in `picture`.

pub mod picture;

mod error;
pub use error::Error;

mod evaluate;
mod free_variables;
mod functions;
mod lexer;
mod parser;
mod picture_adapter;
mod value;

use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// A host function callable from expressions: receives its arguments as JSON (undefined arguments as `null`).
pub type NativeFunction =
    Arc<dyn Fn(&[serde_json::Value]) -> Result<serde_json::Value, Error> + Send + Sync>;

/// Default maximum evaluation depth (nested evaluations, including function calls).
pub const DEFAULT_MAX_DEPTH: usize = 500;

/// A registered host function with its signature, parsed at registration (an invalid one is reported when evaluating).
type NativeEntry = (
    NativeFunction,
    Option<Result<Arc<functions::Signature>, Error>>,
);

/// Variables, host functions and limits for one evaluation.
#[derive(Default, Clone)]
pub struct Bindings {
    variables: HashMap<String, serde_json::Value>,
    functions: HashMap<String, NativeEntry>,
    /// Maximum evaluation depth; `None` means [`DEFAULT_MAX_DEPTH`].
    pub max_depth: Option<usize>,
    /// Wall-clock limit for one evaluation.
    pub time_limit: Option<Duration>,
}

impl Bindings {
    pub fn new() -> Bindings {
        Bindings::default()
    }

    /// Binds `$name` (the name is given without `$`; a leading `$` is ignored).
    pub fn variable(&mut self, name: impl Into<String>, value: serde_json::Value) -> &mut Self {
        let name = name.into();
        self.variables
            .insert(name.trim_start_matches('$').to_string(), value);
        self
    }

    /// Registers `$name` as a host function, overriding a built-in of the same name. `signature` is an optional
    /// JSONata signature such as `"<s-n?:s>"` used to validate (and complete) arguments.
    pub fn function(
        &mut self,
        name: impl Into<String>,
        signature: Option<&str>,
        f: NativeFunction,
    ) -> &mut Self {
        let name = name.into();
        let signature = signature.map(|s| {
            functions::Signature::parse(s.trim().trim_start_matches('<').trim_end_matches('>'))
                .map(Arc::new)
        });
        self.functions
            .insert(name.trim_start_matches('$').to_string(), (f, signature));
        self
    }
}

/// A parsed JSONata expression, reusable across evaluations (and threads).
pub struct Expression {
    ast: parser::Node,
    uses_parent: bool,
}

impl std::fmt::Debug for Expression {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Expression")
    }
}

impl Expression {
    pub fn parse(text: &str) -> Result<Expression, Error> {
        let (ast, uses_parent) = parser::parse_with_flags(text)?;
        Ok(Expression { ast, uses_parent })
    }

    /// The variables the expression reads from its bindings: `$name`s it does not bind itself (with `:=`, as a
    /// function parameter, `#$i` or `@$v`) and does not call, in order of first appearance; not `$` or `$$`.
    pub fn free_variables(&self) -> Vec<String> {
        free_variables::free_variables(&self.ast)
    }

    /// Evaluates against `input` (`None` = no input); `Ok(None)` means the result is undefined.
    ///
    /// Errors carry JSONata's codes; runaway expressions fail with `U1001` (depth limit, time limit). An
    /// expression that needs more stack than a small budget on the caller's thread is evaluated again from the
    /// start on a dedicated thread with a large stack, so host functions may then be called twice.
    pub fn evaluate(
        &self,
        input: Option<&serde_json::Value>,
        bindings: &Bindings,
    ) -> Result<Option<serde_json::Value>, Error> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let started = Instant::now();
        // First attempt on the caller's stack with a small budget; deep expressions are re-run on a dedicated
        // thread with a large stack (evaluation is deterministic, so the result is the same).
        match self.run(input, bindings, now, started, parser::INLINE_STACK_BUDGET) {
            Err(e) if e.code == evaluate::STACK_CODE => std::thread::scope(|s| {
                std::thread::Builder::new()
                    .stack_size(parser::BIG_STACK)
                    .spawn_scoped(s, || {
                        self.run(
                            input,
                            bindings,
                            now,
                            started,
                            parser::BIG_STACK - parser::BIG_STACK / 8,
                        )
                    })
                    .map_err(|e| {
                        Error::new("U1001", format!("Cannot start evaluation thread: {e}"))
                    })?
                    .join()
                    .unwrap_or_else(|_| Err(Error::new("U1001", "Evaluation panicked")))
            })
            .map_err(|e| {
                if e.code == evaluate::STACK_CODE {
                    Error {
                        code: "U1001".into(),
                        ..e
                    }
                } else {
                    e
                }
            }),
            r => r,
        }
    }

    fn run(
        &self,
        input: Option<&serde_json::Value>,
        bindings: &Bindings,
        now: Duration,
        started: Instant,
        budget: usize,
    ) -> Result<Option<serde_json::Value>, Error> {
        for (_, sig) in bindings.functions.values() {
            if let Some(Err(e)) = sig {
                return Err(e.clone());
            }
        }
        let input = input.map(value::Value::from_json).unwrap_or_default();
        let env = value::Env::default();
        for (k, v) in &bindings.variables {
            env.bind(k, value::Value::from_json(v));
        }
        let base = 0u8;
        let mut ctx = evaluate::Ctx {
            depth: 0,
            max_depth: bindings.max_depth.unwrap_or(DEFAULT_MAX_DEPTH),
            deadline: bindings.time_limit.map(|d| started + d),
            ticks: 0,
            now_millis: now.as_millis() as f64,
            natives: &bindings.functions,
            stack_base: std::ptr::addr_of!(base) as usize,
            stack_budget: budget,
            root: input.clone(),
            parent_mode: self.uses_parent,
            rng_state: (now.as_nanos() as u64) | 1,
            root_env: env.clone(),
        };
        let env = env.child();
        env.bind("$", input.clone());
        let wrapped = match &input {
            value::Value::Array(..) => value::Value::Array(
                Rc::new(vec![input.clone()]),
                value::ArrFlags {
                    sequence: true,
                    outer: true,
                    ..Default::default()
                },
            ),
            v => v.clone(),
        };
        let r = ctx.eval(&self.ast, &wrapped, &env)?;
        check_finite(&r)?;
        Ok(r.to_json())
    }
}

fn check_finite(v: &value::Value) -> Result<(), Error> {
    match v {
        value::Value::Number(n) if !n.is_finite() => {
            Err(Error::new("D1001", "Number out of range"))
        }
        value::Value::Array(a, _) => a.iter().try_for_each(check_finite),
        value::Value::Object(o) => o.values().try_for_each(check_finite),
        _ => Ok(()),
    }
}
