//! The tree-walking evaluator. Deterministic, and bounded: every `eval` counts against a depth limit and a stack
//! budget, and checks an optional deadline, so runaway expressions become `U1001` errors instead of crashes.
//! Tail calls in lambda bodies are run in a loop so tail recursion does not consume depth.

use std::collections::HashMap;
use std::rc::Rc;
use std::time::Instant;

use crate::functions;
use crate::parser::{Kind, Node, Stage};
use crate::value::{deep_equal, ArrFlags, Env, Func, Map, Value};
use crate::Error;

pub struct Ctx<'a> {
    pub depth: usize,
    pub max_depth: usize,
    pub deadline: Option<Instant>,
    pub ticks: u32,
    pub now_millis: f64,
    pub natives: &'a HashMap<String, crate::NativeEntry>,
    pub stack_base: usize,
    pub stack_budget: usize,
    pub root: Value,
    pub rng_state: u64,
    /// The expression uses `%`: paths run as tuple streams that record ancestors.
    pub parent_mode: bool,
    /// Scope holding the host's variables (used by `$eval`).
    pub root_env: Env,
}

/// Internal marker code: the inline stack budget ran out (the caller retries on a bigger stack).
pub const STACK_CODE: &str = "U1001-stack";

enum Tail {
    Value(Value),
    Call(Value, Vec<Value>),
}

fn stack_addr() -> usize {
    let x = 0u8;
    std::ptr::addr_of!(x) as usize
}

impl<'a> Ctx<'a> {
    fn enter(&mut self, pos: usize) -> Result<(), Error> {
        self.depth += 1;
        if self.depth > self.max_depth {
            return Err(Error::new("U1001", "Stack overflow error: Check for non-terminating recursive function.  Consider rewriting as tail-recursive.").at(pos));
        }
        let used = self.stack_base.abs_diff(stack_addr());
        if used > self.stack_budget {
            return Err(Error::new(STACK_CODE, "Stack budget exhausted").at(pos));
        }
        self.ticks = self.ticks.wrapping_add(1);
        if self.ticks.is_multiple_of(256) {
            if let Some(d) = self.deadline {
                if Instant::now() > d {
                    return Err(Error::new(
                        "U1001",
                        "Expression evaluation timeout: Check for infinite loop",
                    )
                    .at(pos));
                }
            }
        }
        Ok(())
    }

    /// A group-by key: a string, nothing (the item is skipped), or error T1003.
    fn group_key(&mut self, k: &Node, input: &Value, env: &Env) -> Result<Option<String>, Error> {
        match self.eval(k, input, env)? {
            Value::String(s) => Ok(Some(s.to_string())),
            Value::Undefined => Ok(None),
            _ => Err(
                Error::new("T1003", "Key in object structure must evaluate to a string").at(k.pos),
            ),
        }
    }

    pub fn eval(&mut self, node: &Node, input: &Value, env: &Env) -> Result<Value, Error> {
        self.enter(node.pos)?;
        let r = self.eval_inner(node, input, env);
        self.depth -= 1;
        r
    }

    fn eval_inner(&mut self, node: &Node, input: &Value, env: &Env) -> Result<Value, Error> {
        if let (Kind::Path(steps), Some(pairs)) = (&node.kind, &node.group) {
            if self.parent_mode || is_tuple(steps) {
                let tuples = self.tuples(steps, input, env)?;
                let r = self.tuple_group(pairs, tuples, steps, env, node.pos)?;
                return self.finish_keep(node, r);
            }
        }
        let r = self.eval_kind(node, input, env)?;
        self.finish(node, r, env)
    }

    /// Evaluates a path step without its predicates (which the tuple stream applies itself).
    fn eval_bare(&mut self, node: &Node, input: &Value, env: &Env) -> Result<Value, Error> {
        self.enter(node.pos)?;
        let r = self.eval_kind(node, input, env).and_then(|mut r| {
            if let Some(pairs) = &node.group {
                r = self.group(pairs, &r, env, node.pos)?;
            }
            self.finish_keep(node, r)
        });
        self.depth -= 1;
        r
    }

    /// Applies a node's predicates, group-by and `[]` marker to its raw value.
    fn finish(&mut self, node: &Node, mut r: Value, env: &Env) -> Result<Value, Error> {
        for stage in &node.stages {
            if let Stage::Filter(pred) = stage {
                r = self.filter(pred, r, env)?;
            }
        }
        if let Some(pairs) = &node.group {
            r = self.group(pairs, &r, env, node.pos)?;
        }
        if let Value::Array(a, mut f) = r {
            if node.keep_array {
                f.keep = true;
                f.sequence = true;
            }
            r = Value::Array(a, f).unwrap_seq();
        }
        Ok(r)
    }

    fn finish_keep(&mut self, node: &Node, mut r: Value) -> Result<Value, Error> {
        if let Value::Array(a, mut f) = r {
            if node.keep_array {
                f.keep = true;
                f.sequence = true;
            }
            r = Value::Array(a, f).unwrap_seq();
        }
        Ok(r)
    }

    fn eval_kind(&mut self, node: &Node, input: &Value, env: &Env) -> Result<Value, Error> {
        Ok(match &node.kind {
            Kind::Str(s) => Value::str(s),
            Kind::Num(n) => Value::Number(*n),
            Kind::Bool(b) => Value::Bool(*b),
            Kind::Null => Value::Null,
            Kind::Regex(r) => Value::Function(Rc::new(Func::Regex(r.clone()))),
            Kind::Name(n) => lookup(input, n),
            Kind::Wildcard => {
                let mut out = vec![];
                match input {
                    Value::Object(o) => {
                        for v in o.values() {
                            flatten_into(v, &mut out);
                        }
                    }
                    Value::Array(a, _) => {
                        for item in a.iter() {
                            flatten_into(item, &mut out);
                        }
                    }
                    _ => {}
                }
                Value::seq(out)
            }
            Kind::Descendants => {
                let mut out = vec![];
                descendants(input, &mut out);
                Value::seq(out)
            }
            Kind::Parent => {
                return Err(Error::new(
                    "S0217",
                    "The object representing the 'parent' cannot be derived from this expression",
                )
                .at(node.pos))
            }
            Kind::Var(name) => match name.as_str() {
                "" => match input {
                    Value::Array(a, f) if f.outer => a.first().cloned().unwrap_or_default(),
                    v => v.clone(),
                },
                "$" => self.root.clone(),
                _ => match env.lookup(name) {
                    Some(v) => v,
                    None => self.global(name),
                },
            },
            Kind::Path(steps) => self.path(steps, input, env)?,
            Kind::Binary(op, l, r) => self.binary(op, l, r, input, env, node.pos)?,
            Kind::Neg(e) => match self.eval(e, input, env)? {
                Value::Undefined => Value::Undefined,
                Value::Number(n) => Value::Number(-n),
                _ => {
                    return Err(
                        Error::new("D1002", "Cannot negate a non-numeric value").at(node.pos)
                    )
                }
            },
            Kind::Array(items) => {
                let mut out = vec![];
                for item in items {
                    let v = self.eval(item, input, env)?;
                    if matches!(item.kind, Kind::Array(_)) && item.stages.is_empty() {
                        if !v.is_undef() {
                            out.push(v);
                        }
                    } else {
                        match v {
                            Value::Undefined => {}
                            Value::Array(a, _) => {
                                within_item_limit(out.len() + a.len(), node.pos)?;
                                out.extend(a.iter().cloned())
                            }
                            v => out.push(v),
                        }
                    }
                }
                Value::array(out)
            }
            Kind::Object(pairs) => self.group(pairs, input, env, node.pos)?,
            Kind::Sort(_) => return Err(Error::new("S0201", "Misplaced sort").at(node.pos)),
            Kind::Cond(c, t, e) => {
                let cv = self.eval(c, input, env)?;
                if functions::boolean(&cv) {
                    self.eval(t, input, env)?
                } else if let Some(e) = e {
                    self.eval(e, input, env)?
                } else {
                    Value::Undefined
                }
            }
            Kind::Bind(name, rhs) => {
                let v = self.eval(rhs, input, env)?;
                env.bind(name, v.clone());
                v
            }
            Kind::Block(items) => {
                let scope = env.child();
                let mut last = Value::Undefined;
                for item in items {
                    last = self.eval(item, input, &scope)?;
                }
                last
            }
            Kind::Lambda {
                params,
                body,
                signature,
            } => {
                let signature = match signature {
                    Some(s) => Some(Rc::new(
                        functions::Signature::parse(s).map_err(|e| e.at(node.pos))?,
                    )),
                    None => None,
                };
                Value::Function(Rc::new(Func::Lambda {
                    params: params.clone(),
                    body: body.clone(),
                    env: env.clone(),
                    input: input.clone(),
                    signature,
                }))
            }
            Kind::Call { .. } => match self.eval_call(node, input, env, None)? {
                Tail::Value(v) => v,
                Tail::Call(f, args) => self.apply(&f, args, input, node.pos)?,
            },
            Kind::Placeholder => return Err(Error::new("S0201", "Misplaced ?").at(node.pos)),
            Kind::Apply(l, r) => {
                let lv = self.eval(l, input, env)?;
                if let Kind::Call { partial: false, .. } = r.kind {
                    let v = match self.eval_call(r, input, env, Some(lv))? {
                        Tail::Value(v) => v,
                        Tail::Call(f, args) => self.apply(&f, args, input, node.pos)?,
                    };
                    return self.finish(r, v, env);
                }
                let rv = self.eval(r, input, env)?;
                if !rv.is_function() {
                    return Err(Error::new(
                        "T2006",
                        "The right side of the function application operator ~> must be a function",
                    )
                    .at(node.pos));
                }
                if lv.is_function() {
                    return Ok(Value::Function(Rc::new(Func::Compose(lv, rv))));
                }
                self.apply(&rv, vec![lv], input, node.pos)?
            }
            Kind::Transform(pattern, update, delete) => Value::Function(Rc::new(Func::Transform {
                pattern: pattern.clone(),
                update: update.clone(),
                delete: delete.clone(),
                env: env.clone(),
            })),
        })
    }

    fn global(&self, name: &str) -> Value {
        if let Some((f, sig)) = self.natives.get(name) {
            return Value::Function(Rc::new(Func::Native {
                name: name.to_string(),
                f: f.clone(),
                signature: sig.as_ref().and_then(|r| r.as_ref().ok()).cloned(),
            }));
        }
        functions::builtin(name).unwrap_or_default()
    }

    /// Evaluates a call node; a call in tail position of a lambda body is returned as `Tail::Call`.
    fn eval_call(
        &mut self,
        node: &Node,
        input: &Value,
        env: &Env,
        first: Option<Value>,
    ) -> Result<Tail, Error> {
        let Kind::Call {
            func,
            args,
            partial,
        } = &node.kind
        else {
            return Err(Error::new("S0201", "Not a call").at(node.pos));
        };
        let f = self.eval(func, input, env)?;
        let mut vals = Vec::with_capacity(args.len() + 1);
        if let Some(v) = first {
            vals.push(Some(v));
        }
        for a in args {
            if matches!(a.kind, Kind::Placeholder) {
                vals.push(None);
            } else {
                vals.push(Some(self.eval(a, input, env)?));
            }
        }
        if !f.is_function() {
            // a bare name that is a built-in function's name: the user probably forgot the `$`
            let forgot_dollar = matches!(&func.kind, Kind::Path(s) if s.len() == 1 && matches!(&s[0].kind, Kind::Name(n) if functions::builtin(n).is_some()));
            let code = match (*partial, forgot_dollar) {
                (true, true) => "T1007",
                (true, false) => "T1008",
                (false, true) => "T1005",
                (false, false) => "T1006",
            };
            return Err(Error::new(code, "Attempted to invoke a non-function").at(node.pos));
        }
        if *partial {
            return Ok(Tail::Value(Value::Function(Rc::new(Func::Partial {
                func: f,
                args: vals,
            }))));
        }
        let vals: Vec<Value> = vals.into_iter().map(|v| v.unwrap_or_default()).collect();
        if node.stages.is_empty() && node.group.is_none() {
            return Ok(Tail::Call(f, vals));
        }
        Ok(Tail::Value(self.apply(&f, vals, input, node.pos)?))
    }

    /// Evaluates a lambda body, returning tail calls unevaluated.
    fn eval_tail(&mut self, node: &Node, input: &Value, env: &Env) -> Result<Tail, Error> {
        if !node.stages.is_empty() || node.group.is_some() || node.keep_array {
            return Ok(Tail::Value(self.eval(node, input, env)?));
        }
        match &node.kind {
            Kind::Call { .. } => {
                self.enter(node.pos)?;
                let r = self.eval_call(node, input, env, None);
                self.depth -= 1;
                r
            }
            Kind::Cond(c, t, e) => {
                let cv = self.eval(c, input, env)?;
                if functions::boolean(&cv) {
                    self.eval_tail(t, input, env)
                } else if let Some(e) = e {
                    self.eval_tail(e, input, env)
                } else {
                    Ok(Tail::Value(Value::Undefined))
                }
            }
            Kind::Block(items) if !items.is_empty() => {
                let scope = env.child();
                for item in &items[..items.len() - 1] {
                    self.eval(item, input, &scope)?;
                }
                self.eval_tail(&items[items.len() - 1], input, &scope)
            }
            _ => Ok(Tail::Value(self.eval(node, input, env)?)),
        }
    }

    /// Calls a function value with arguments.
    pub fn apply(
        &mut self,
        f: &Value,
        args: Vec<Value>,
        input: &Value,
        pos: usize,
    ) -> Result<Value, Error> {
        let mut f = f.clone();
        let mut args = args;
        loop {
            let Value::Function(func) = &f else {
                return Err(Error::new("T1006", "Attempted to invoke a non-function").at(pos));
            };
            match &**func {
                Func::Lambda {
                    params,
                    body,
                    env,
                    signature,
                    input: captured,
                } => {
                    let call_args = match signature {
                        Some(sig) => sig
                            .validate(std::mem::take(&mut args), captured, "lambda")
                            .map_err(|e| e.at(pos))?,
                        None => std::mem::take(&mut args),
                    };
                    let scope = env.child();
                    for (i, p) in params.iter().enumerate() {
                        scope.bind(p, call_args.get(i).cloned().unwrap_or_default());
                    }
                    let captured = captured.clone();
                    let body = body.clone();
                    self.enter(pos)?;
                    let r = self.eval_tail(&body, &captured, &scope);
                    self.depth -= 1;
                    match r? {
                        Tail::Value(v) => return Ok(v),
                        Tail::Call(nf, nargs) => {
                            f = nf;
                            args = nargs;
                        }
                    }
                }
                Func::Builtin { name, signature } => {
                    let args = signature
                        .validate(args, input, name)
                        .map_err(|e| e.at(pos))?;
                    return functions::call(self, name, args, input).map_err(|e| e.at(pos));
                }
                Func::Native {
                    name,
                    f: nf,
                    signature,
                } => {
                    let args = match signature {
                        Some(sig) => sig.validate(args, input, name).map_err(|e| e.at(pos))?,
                        None => args,
                    };
                    let json: Vec<serde_json::Value> = args
                        .iter()
                        .map(|a| a.to_json().unwrap_or(serde_json::Value::Null))
                        .collect();
                    let r = nf(&json).map_err(|e| e.at(pos))?;
                    return Ok(Value::from_json(&r));
                }
                Func::Partial {
                    func: inner,
                    args: bound,
                } => {
                    let mut supplied = args.into_iter();
                    let full: Vec<Value> = bound
                        .iter()
                        .map(|b| match b {
                            Some(v) => v.clone(),
                            None => supplied.next().unwrap_or_default(),
                        })
                        .collect();
                    f = inner.clone();
                    args = full;
                }
                Func::Compose(a, b) => {
                    let mid = self.apply(a, args, input, pos)?;
                    f = b.clone();
                    args = vec![mid];
                }
                Func::Regex(re) => {
                    let s = args
                        .first()
                        .and_then(|v| v.as_str())
                        .unwrap_or("")
                        .to_string();
                    return functions::regex_match_object(re, &s, 0);
                }
                Func::Transform {
                    pattern,
                    update,
                    delete,
                    env,
                } => {
                    let target = args.into_iter().next().unwrap_or_default();
                    let (pattern, update, delete, env) =
                        (pattern.clone(), update.clone(), delete.clone(), env.clone());
                    return self.transform(
                        &target,
                        &pattern,
                        &update,
                        delete.as_deref(),
                        &env,
                        pos,
                    );
                }
            }
        }
    }

    fn path(&mut self, steps: &[Node], input: &Value, env: &Env) -> Result<Value, Error> {
        if self.parent_mode || is_tuple(steps) {
            return self.tuple_path(steps, input, env);
        }
        let mut seq: Vec<Value> = match input {
            Value::Array(a, _) if !matches!(steps[0].kind, Kind::Var(_)) => a.as_ref().clone(),
            v => vec![v.clone()],
        };
        let mut result_is_raw_array = None;
        for (i, step) in steps.iter().enumerate() {
            let last = i + 1 == steps.len();
            result_is_raw_array = None;
            if let Kind::Sort(terms) = &step.kind {
                // a sort step orders the whole sequence; its predicates then filter the sorted sequence
                seq = self.sort(terms, seq, env, step.pos)?;
                for stage in &step.stages {
                    if let Stage::Filter(pred) = stage {
                        seq = self.filter(pred, Value::seq(seq), env)?.members();
                    }
                }
                continue;
            }
            if i == 0 && matches!(step.kind, Kind::Array(_)) {
                let v = self.eval(step, &Value::seq(seq.clone()).unwrap_seq(), env)?;
                seq = match v {
                    Value::Undefined => vec![],
                    Value::Array(a, f) if !f.sequence => {
                        result_is_raw_array = Some(Value::Array(a.clone(), f));
                        a.as_ref().clone()
                    }
                    Value::Array(a, _) => a.as_ref().clone(),
                    v => vec![v],
                };
            } else {
                let cons = matches!(step.kind, Kind::Array(_));
                let mut results = Vec::with_capacity(seq.len());
                for item in &seq {
                    let r = self.eval(step, item, env)?;
                    if !r.is_undef() {
                        results.push(r);
                    }
                }
                if last
                    && results.len() == 1
                    && matches!(&results[0], Value::Array(_, f) if !f.sequence)
                {
                    result_is_raw_array = Some(results[0].clone());
                }
                let mut next = Vec::with_capacity(results.len());
                for r in results {
                    match r {
                        Value::Array(a, _) if !cons => {
                            within_item_limit(next.len() + a.len(), step.pos)?;
                            next.extend(a.iter().cloned())
                        }
                        v => next.push(v),
                    }
                }
                seq = next;
            }
            if seq.is_empty() {
                break;
            }
        }
        let keep = steps.iter().any(|s| s.keep_array);
        if let Some(Value::Array(a, mut f)) = result_is_raw_array {
            if keep {
                f.keep = true;
                f.sequence = true;
            }
            return Ok(Value::Array(a, f));
        }
        Ok(Value::Array(
            Rc::new(seq),
            ArrFlags {
                sequence: true,
                keep,
                ..ArrFlags::default()
            },
        ))
    }

    fn tuple_path(&mut self, steps: &[Node], input: &Value, env: &Env) -> Result<Value, Error> {
        let tuples = self.tuples(steps, input, env)?;
        let keep = steps.iter().any(|s| s.keep_array);
        let last = steps.last().expect("steps");
        let out = tuples
            .into_iter()
            .map(|(v, e)| match &last.focus {
                Some(f) => e.lookup(f).unwrap_or_default(),
                None => v,
            })
            .collect();
        Ok(Value::Array(
            Rc::new(out),
            ArrFlags {
                sequence: true,
                keep,
                ..ArrFlags::default()
            },
        ))
    }

    /// Group-by over a tuple stream: keys and values see each tuple's bindings (merged per group).
    fn tuple_group(
        &mut self,
        pairs: &[(Node, Node)],
        tuples: Vec<(Value, Env)>,
        steps: &[Node],
        env: &Env,
        pos: usize,
    ) -> Result<Value, Error> {
        let mut vars = vec!["%".to_string()];
        for s in steps {
            if let Some(f) = &s.focus {
                vars.push(f.clone());
            }
            for st in &s.stages {
                if let Stage::Index(i) = st {
                    vars.push(i.clone());
                }
            }
        }
        let last_focus = steps.last().and_then(|s| s.focus.clone());
        let mut groups: indexmap::IndexMap<String, (Vec<(Value, Env)>, usize)> =
            indexmap::IndexMap::new();
        for (v, e) in tuples {
            let v = match &last_focus {
                Some(f) => e.lookup(f).unwrap_or_default(),
                None => v,
            };
            for (pi, (k, _)) in pairs.iter().enumerate() {
                let Some(key) = self.group_key(k, &v, &e)? else {
                    continue;
                };
                match groups.get_mut(&key) {
                    Some((data, idx)) => {
                        if *idx != pi {
                            return Err(Error::new(
                                "D1009",
                                format!("Multiple key definitions evaluate to same key: {key}"),
                            )
                            .at(pos));
                        }
                        data.push((v.clone(), e.clone()));
                    }
                    None => {
                        groups.insert(key, (vec![(v.clone(), e.clone())], pi));
                    }
                }
            }
        }
        let mut out = Map::new();
        for (key, (data, pi)) in groups {
            let scope = env.child();
            for var in &vars {
                let vals: Vec<Value> = data.iter().filter_map(|(_, e)| e.lookup(var)).collect();
                if var == "%" {
                    if let Some(first) = vals.into_iter().next() {
                        scope.bind(var, first);
                    }
                    continue;
                }
                let merged = if vals.len() == 1 {
                    vals.into_iter().next().unwrap_or_default()
                } else {
                    Value::seq(vals.iter().flat_map(|v| v.members()).collect())
                };
                scope.bind(var, merged);
            }
            let ctx = if data.len() == 1 {
                data[0].0.clone()
            } else {
                Value::seq(data.iter().flat_map(|(v, _)| v.members()).collect())
            };
            let v = self.eval(&pairs[pi].1, &ctx, &scope)?;
            if !v.is_undef() {
                out.insert(key, v);
            }
        }
        Ok(Value::Object(Rc::new(out)))
    }

    /// Path evaluation carrying variable bindings per item (for `@$v`, `#$i` and the ancestors `%` needs).
    fn tuples(
        &mut self,
        steps: &[Node],
        input: &Value,
        env: &Env,
    ) -> Result<Vec<(Value, Env)>, Error> {
        let mut tuples: Vec<(Value, Env)> = match input {
            Value::Array(a, _) if !matches!(steps[0].kind, Kind::Var(_)) => {
                a.iter().map(|v| (v.clone(), env.clone())).collect()
            }
            v => vec![(v.clone(), env.clone())],
        };
        for step in steps {
            if let Kind::Sort(terms) = &step.kind {
                tuples = self.sort_tuples(terms, tuples, step.pos)?;
                tuples = self.tuple_stages(step, tuples, true)?;
                tuples = self.tuple_stages(step, tuples, false)?;
                continue;
            }
            let navigates = matches!(
                step.kind,
                Kind::Name(_) | Kind::Wildcard | Kind::Descendants
            );
            let mut next = vec![];
            for (item, tenv) in &tuples {
                if self.parent_mode {
                    if let Some(inner) = self.block_tuples(step, item, tenv)? {
                        next.extend(self.tuple_stages(step, inner, true)?);
                        continue;
                    }
                }
                let mut parent_env = None;
                let r = if let Kind::Parent = step.kind {
                    let anc = tenv.lookup("%").map(|a| a.members()).unwrap_or_default();
                    if anc.is_empty() {
                        return Err(Error::new("S0217", "The object representing the 'parent' cannot be derived from this expression").at(step.pos));
                    }
                    let pe = tenv.child();
                    pe.bind("%", Value::array(anc[1..].to_vec()));
                    parent_env = Some(pe);
                    anc[0].clone()
                } else {
                    self.eval_bare(step, item, tenv)?
                };
                let items: Vec<Value> = match r {
                    Value::Undefined => vec![],
                    Value::Array(a, _) => a.as_ref().clone(),
                    v => vec![v],
                };
                let ancestors = if self.parent_mode && navigates {
                    let mut anc = vec![item.clone()];
                    anc.extend(tenv.lookup("%").map(|a| a.members()).unwrap_or_default());
                    Some(Value::array(anc))
                } else {
                    None
                };
                let mut group: Vec<(Value, Env)> = vec![];
                for v in items {
                    let e = parent_env.as_ref().unwrap_or(tenv).child();
                    match &step.focus {
                        Some(f) => {
                            e.bind(f, v);
                            if let Some(a) = &ancestors {
                                e.bind("%", a.clone());
                            }
                            group.push((item.clone(), e));
                        }
                        None => {
                            if let Some(a) = &ancestors {
                                e.bind("%", a.clone());
                            }
                            group.push((v, e))
                        }
                    }
                }
                next.extend(self.tuple_stages(step, group, true)?);
            }
            // in a tuple stream, a step's predicates and index bindings apply across the whole stream
            tuples = self.tuple_stages(step, next, false)?;
        }
        Ok(tuples)
    }

    /// A step that is a block ending in a path (`a.(b.c).%`): its tuples, so ancestors flow through the block.
    fn block_tuples(
        &mut self,
        step: &Node,
        item: &Value,
        tenv: &Env,
    ) -> Result<Option<Vec<(Value, Env)>>, Error> {
        let Kind::Block(items) = &step.kind else {
            return Ok(None);
        };
        let Some(last) = items.last() else {
            return Ok(None);
        };
        let Kind::Path(inner) = &last.kind else {
            return Ok(None);
        };
        if last.group.is_some()
            || last.keep_array
            || !last.stages.is_empty()
            || step.focus.is_some()
        {
            return Ok(None);
        }
        let scope = tenv.child();
        for it in &items[..items.len() - 1] {
            self.eval(it, item, &scope)?;
        }
        self.enter(step.pos)?;
        let r = self.tuples(inner, item, &scope);
        self.depth -= 1;
        Ok(Some(r?))
    }

    /// Applies a step's index bindings and predicates to the tuples it produced for one context item.
    /// Index bindings written directly after the step (before any predicate) number the items each context
    /// item produced (`leading`); later predicates and index bindings apply to the whole stream.
    fn tuple_stages(
        &mut self,
        step: &Node,
        mut group: Vec<(Value, Env)>,
        leading: bool,
    ) -> Result<Vec<(Value, Env)>, Error> {
        let split = step
            .stages
            .iter()
            .position(|st| matches!(st, Stage::Filter(_)))
            .unwrap_or(step.stages.len());
        let stages = if leading {
            &step.stages[..split]
        } else {
            &step.stages[split..]
        };
        for stage in stages {
            match stage {
                Stage::Index(name) => {
                    for (i, (_, e)) in group.iter().enumerate() {
                        e.bind(name, Value::Number(i as f64));
                    }
                }
                Stage::Filter(pred) => {
                    let mut kept = vec![];
                    let n = group.len();
                    for (i, (v, e)) in group.into_iter().enumerate() {
                        let ctx = match &step.focus {
                            Some(f) => e.lookup(f).unwrap_or_default(),
                            None => v.clone(),
                        };
                        let p = self.eval(pred, &ctx, &e)?;
                        if predicate_selects(&p, i, n) {
                            kept.push((v, e));
                        }
                    }
                    group = kept;
                }
            }
        }
        Ok(group)
    }

    fn sort_tuples(
        &mut self,
        terms: &[(Node, bool)],
        tuples: Vec<(Value, Env)>,
        pos: usize,
    ) -> Result<Vec<(Value, Env)>, Error> {
        let mut keyed = vec![];
        for (v, e) in tuples {
            let mut keys = vec![];
            for (t, _) in terms {
                keys.push(self.eval(t, &v, &e)?);
            }
            keyed.push((keys, (v, e)));
        }
        let order = sort_keys(keyed.iter().map(|k| &k.0).collect(), terms, pos)?;
        let mut slots: Vec<Option<(Value, Env)>> = keyed.into_iter().map(|k| Some(k.1)).collect();
        Ok(order.into_iter().filter_map(|i| slots[i].take()).collect())
    }

    fn sort(
        &mut self,
        terms: &[(Node, bool)],
        seq: Vec<Value>,
        env: &Env,
        pos: usize,
    ) -> Result<Vec<Value>, Error> {
        let mut keyed = vec![];
        for v in &seq {
            let mut keys = vec![];
            for (t, _) in terms {
                keys.push(self.eval(t, v, env)?);
            }
            keyed.push(keys);
        }
        let order = sort_keys(keyed.iter().collect(), terms, pos)?;
        Ok(order.into_iter().map(|i| seq[i].clone()).collect())
    }

    pub fn filter(&mut self, pred: &Node, input: Value, env: &Env) -> Result<Value, Error> {
        let items: Vec<Value> = match input {
            Value::Undefined => return Ok(Value::seq(vec![])),
            Value::Array(a, _) => a.as_ref().clone(),
            v => vec![v],
        };
        if let Kind::Num(n) = pred.kind {
            if pred.stages.is_empty() {
                let mut idx = n.floor();
                if idx < 0.0 {
                    idx += items.len() as f64;
                }
                let mut out = vec![];
                if idx >= 0.0 && (idx as usize) < items.len() {
                    match &items[idx as usize] {
                        Value::Array(a, _) => out.extend(a.iter().cloned()),
                        v => out.push(v.clone()),
                    }
                }
                return Ok(Value::seq(out));
            }
        }
        let n = items.len();
        let mut out = vec![];
        for (i, item) in items.into_iter().enumerate() {
            let p = self.eval(pred, &item, env)?;
            if predicate_selects(&p, i, n) {
                out.push(item);
            }
        }
        Ok(Value::seq(out))
    }

    fn group(
        &mut self,
        pairs: &[(Node, Node)],
        input: &Value,
        env: &Env,
        pos: usize,
    ) -> Result<Value, Error> {
        let items: Vec<Value> = match input {
            Value::Array(a, _) => a.as_ref().clone(),
            v => vec![v.clone()],
        };
        let items = if items.is_empty() {
            vec![Value::Undefined]
        } else {
            items
        };
        let mut groups: indexmap::IndexMap<String, (Vec<Value>, usize)> = indexmap::IndexMap::new();
        for item in &items {
            for (pi, (k, _)) in pairs.iter().enumerate() {
                let Some(key) = self.group_key(k, item, env)? else {
                    continue;
                };
                match groups.get_mut(&key) {
                    Some((data, idx)) => {
                        if *idx != pi {
                            return Err(Error::new(
                                "D1009",
                                format!("Multiple key definitions evaluate to same key: {key}"),
                            )
                            .at(pos));
                        }
                        data.push(item.clone());
                    }
                    None => {
                        groups.insert(key, (vec![item.clone()], pi));
                    }
                }
            }
        }
        let mut out = Map::new();
        for (key, (data, pi)) in groups {
            let ctx = if data.len() == 1 {
                data.into_iter().next().unwrap_or_default()
            } else {
                let mut flat = vec![];
                for d in data {
                    match d {
                        Value::Array(a, _) => flat.extend(a.iter().cloned()),
                        v => flat.push(v),
                    }
                }
                Value::seq(flat)
            };
            let v = self.eval(&pairs[pi].1, &ctx, env)?;
            if !v.is_undef() {
                out.insert(key, v);
            }
        }
        Ok(Value::Object(Rc::new(out)))
    }

    fn binary(
        &mut self,
        op: &str,
        l: &Node,
        r: &Node,
        input: &Value,
        env: &Env,
        pos: usize,
    ) -> Result<Value, Error> {
        match op {
            "and" => {
                let lv = self.eval(l, input, env)?;
                if !functions::boolean(&lv) {
                    return Ok(Value::Bool(false));
                }
                let rv = self.eval(r, input, env)?;
                return Ok(Value::Bool(functions::boolean(&rv)));
            }
            "or" => {
                let lv = self.eval(l, input, env)?;
                if functions::boolean(&lv) {
                    return Ok(Value::Bool(true));
                }
                let rv = self.eval(r, input, env)?;
                return Ok(Value::Bool(functions::boolean(&rv)));
            }
            "?:" => {
                let lv = self.eval(l, input, env)?;
                return if functions::boolean(&lv) {
                    Ok(lv)
                } else {
                    self.eval(r, input, env)
                };
            }
            "??" => {
                let lv = self.eval(l, input, env)?;
                return if lv.is_undef() {
                    self.eval(r, input, env)
                } else {
                    Ok(lv)
                };
            }
            _ => {}
        }
        let lv = self.eval(l, input, env)?;
        let rv = self.eval(r, input, env)?;
        match op {
            "+" | "-" | "*" | "/" | "%" => {
                let a = match &lv {
                    Value::Undefined => None,
                    Value::Number(n) => Some(*n),
                    _ => {
                        return Err(Error::new(
                            "T2001",
                            format!(
                                "The left side of the \"{op}\" operator must evaluate to a number"
                            ),
                        )
                        .at(pos))
                    }
                };
                let b = match &rv {
                    Value::Undefined => None,
                    Value::Number(n) => Some(*n),
                    _ => {
                        return Err(Error::new(
                            "T2002",
                            format!(
                                "The right side of the \"{op}\" operator must evaluate to a number"
                            ),
                        )
                        .at(pos))
                    }
                };
                let (Some(a), Some(b)) = (a, b) else {
                    return Ok(Value::Undefined);
                };
                let v = match op {
                    "+" => a + b,
                    "-" => a - b,
                    "*" => a * b,
                    "/" => a / b,
                    _ => a % b,
                };
                // division by zero yields an infinity that later consumers reject ($string: D3001, output: D1001)
                let division_by_zero = op == "/" && b == 0.0;
                if !v.is_finite() && !division_by_zero {
                    return Err(Error::new("D1001", "Number out of range").at(pos));
                }
                Ok(Value::Number(v))
            }
            "=" | "!=" => {
                if lv.is_undef() || rv.is_undef() {
                    return Ok(Value::Bool(false));
                }
                let eq = deep_equal(&lv, &rv);
                Ok(Value::Bool(if op == "=" { eq } else { !eq }))
            }
            "<" | ">" | "<=" | ">=" => {
                let comparable =
                    |v: &Value| matches!(v, Value::Undefined | Value::Number(_) | Value::String(_));
                if !comparable(&lv) || !comparable(&rv) {
                    return Err(Error::new("T2010", format!("The expressions either side of operator \"{op}\" must evaluate to numeric or string values")).at(pos));
                }
                if lv.is_undef() || rv.is_undef() {
                    return Ok(Value::Undefined);
                }
                let ord = match (&lv, &rv) {
                    (Value::Number(a), Value::Number(b)) => a.partial_cmp(b),
                    (Value::String(a), Value::String(b)) => Some(functions::cmp_str(a, b)),
                    _ => return Err(Error::new("T2009", format!("The values either side of operator \"{op}\" must be of the same data type")).at(pos)),
                };
                let Some(ord) = ord else {
                    return Ok(Value::Bool(false));
                };
                use std::cmp::Ordering::*;
                Ok(Value::Bool(match op {
                    "<" => ord == Less,
                    ">" => ord == Greater,
                    "<=" => ord != Greater,
                    _ => ord != Less,
                }))
            }
            "&" => {
                let a = if lv.is_undef() {
                    String::new()
                } else {
                    functions::to_string(&lv, false).map_err(|e| e.at(pos))?
                };
                let b = if rv.is_undef() {
                    String::new()
                } else {
                    functions::to_string(&rv, false).map_err(|e| e.at(pos))?
                };
                if a.len() + b.len() > MAX_STRING_BYTES {
                    return Err(Error::new(
                        "U1002",
                        format!("The string built by `&` is over {MAX_STRING_BYTES} bytes"),
                    )
                    .at(pos));
                }
                Ok(Value::str(&(a + &b)))
            }
            "in" => {
                if lv.is_undef() || rv.is_undef() {
                    return Ok(Value::Bool(false));
                }
                Ok(Value::Bool(rv.members().iter().any(|x| deep_equal(x, &lv))))
            }
            ".." => {
                let a =
                    match &lv {
                        Value::Undefined => None,
                        Value::Number(n) if n.fract() == 0.0 => Some(*n),
                        _ => return Err(Error::new(
                            "T2003",
                            "The left side of the range operator (..) must evaluate to an integer",
                        )
                        .at(pos)),
                    };
                let b =
                    match &rv {
                        Value::Undefined => None,
                        Value::Number(n) if n.fract() == 0.0 => Some(*n),
                        _ => return Err(Error::new(
                            "T2004",
                            "The right side of the range operator (..) must evaluate to an integer",
                        )
                        .at(pos)),
                    };
                let (Some(a), Some(b)) = (a, b) else {
                    return Ok(Value::Undefined);
                };
                if a > b {
                    return Ok(Value::Undefined);
                }
                if b - a >= 1e7 {
                    return Err(Error::new("D2014", "The size of the sequence allocated by the range operator (..) must not exceed 1e7").at(pos));
                }
                // Counted, not stepped by adding 1.0: past 2^53 that addition stops moving (found by stepfn-fuzz:
                // `$..$` on 18446744073709551615 never ended and took all the memory).
                let count = (b - a) as usize + 1;
                Ok(Value::array(
                    (0..count).map(|i| Value::Number(a + i as f64)).collect(),
                ))
            }
            _ => Err(Error::new("S0201", format!("Unknown operator {op}")).at(pos)),
        }
    }

    fn transform(
        &mut self,
        target: &Value,
        pattern: &Node,
        update: &Node,
        delete: Option<&Node>,
        env: &Env,
        pos: usize,
    ) -> Result<Value, Error> {
        if target.is_undef() {
            return Ok(Value::Undefined);
        }
        if !matches!(target, Value::Object(_) | Value::Array(..)) {
            return Err(Error::new(
                "T2011",
                "The first argument of the transform must be an object or array",
            )
            .at(pos));
        }
        let copy = deep_copy(target);
        let matches = self.eval(pattern, &copy, env)?;
        let mut set = std::collections::HashSet::new();
        for m in matches.members() {
            if let Value::Object(o) = &m {
                set.insert(Rc::as_ptr(o) as usize);
            }
        }
        self.rebuild(&copy, &set, update, delete, env, pos)
    }

    fn rebuild(
        &mut self,
        v: &Value,
        set: &std::collections::HashSet<usize>,
        update: &Node,
        delete: Option<&Node>,
        env: &Env,
        pos: usize,
    ) -> Result<Value, Error> {
        match v {
            Value::Object(o) => {
                let mut obj: Map = (**o).clone();
                if set.contains(&(Rc::as_ptr(o) as usize)) {
                    let u = self.eval(update, v, env)?;
                    match u {
                        Value::Undefined => {}
                        Value::Object(uo) => {
                            for (k, val) in uo.iter() {
                                obj.insert(k.clone(), val.clone());
                            }
                        }
                        _ => return Err(Error::new("T2011", "The insert/update clause of the transform expression must evaluate to an object").at(pos)),
                    }
                    if let Some(d) = delete {
                        let dv = self.eval(d, v, env)?;
                        for k in dv.members() {
                            match k {
                                Value::String(s) => {
                                    obj.shift_remove(&*s);
                                }
                                _ => return Err(Error::new("T2012", "The delete clause of the transform expression must evaluate to a string or array of strings").at(pos)),
                            }
                        }
                    }
                }
                let mut out = Map::new();
                for (k, val) in obj {
                    out.insert(k, self.rebuild(&val, set, update, delete, env, pos)?);
                }
                Ok(Value::Object(Rc::new(out)))
            }
            Value::Array(a, f) => {
                let mut out = vec![];
                for x in a.iter() {
                    out.push(self.rebuild(x, set, update, delete, env, pos)?);
                }
                Ok(Value::Array(Rc::new(out), *f))
            }
            v => Ok(v.clone()),
        }
    }
}

fn is_tuple(steps: &[Node]) -> bool {
    steps
        .iter()
        .any(|s| s.focus.is_some() || s.stages.iter().any(|st| matches!(st, Stage::Index(_))))
}

fn deep_copy(v: &Value) -> Value {
    match v {
        Value::Object(o) => Value::Object(Rc::new(
            o.iter().map(|(k, v)| (k.clone(), deep_copy(v))).collect(),
        )),
        Value::Array(a, f) => Value::Array(Rc::new(a.iter().map(deep_copy).collect()), *f),
        v => v.clone(),
    }
}

fn predicate_selects(p: &Value, i: usize, n: usize) -> bool {
    let idx_match = |x: f64| {
        let mut x = x.floor();
        if x < 0.0 {
            x += n as f64;
        }
        x == i as f64
    };
    match p {
        Value::Number(x) => idx_match(*x),
        Value::Array(a, _) if !a.is_empty() && a.iter().all(|v| matches!(v, Value::Number(_))) => {
            a.iter().any(|v| idx_match(v.as_f64().unwrap_or(-1.0)))
        }
        v => functions::boolean(v),
    }
}

/// Stable ordering of items by sort keys; returns the permutation.
fn sort_keys(
    keys: Vec<&Vec<Value>>,
    terms: &[(Node, bool)],
    pos: usize,
) -> Result<Vec<usize>, Error> {
    for (ti, _) in terms.iter().enumerate() {
        let mut kind = None;
        for k in &keys {
            let t = match &k[ti] {
                Value::Undefined => continue,
                Value::Number(_) => "n",
                Value::String(_) => "s",
                _ => return Err(Error::new("T2008", "The expressions within an order-by clause must evaluate to numeric or string values").at(pos)),
            };
            if kind.is_some_and(|x| x != t) {
                return Err(Error::new(
                    "T2007",
                    "Type mismatch within order-by clause. All values must be of the same type",
                )
                .at(pos));
            }
            kind = Some(t);
        }
    }
    let mut idx: Vec<usize> = (0..keys.len()).collect();
    idx.sort_by(|&a, &b| {
        use std::cmp::Ordering;
        for (ti, (_, desc)) in terms.iter().enumerate() {
            let (x, y) = (&keys[a][ti], &keys[b][ti]);
            let o = match (x, y) {
                (Value::Undefined, Value::Undefined) => Ordering::Equal,
                (Value::Undefined, _) => return Ordering::Greater,
                (_, Value::Undefined) => return Ordering::Less,
                (Value::Number(p), Value::Number(q)) => p.partial_cmp(q).unwrap_or(Ordering::Equal),
                (Value::String(p), Value::String(q)) => functions::cmp_str(p, q),
                _ => Ordering::Equal,
            };
            let o = if *desc { o.reverse() } else { o };
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    });
    Ok(idx)
}

pub fn lookup(input: &Value, key: &str) -> Value {
    match input {
        Value::Object(o) => o.get(key).cloned().unwrap_or_default(),
        Value::Array(a, _) => {
            let mut out = vec![];
            for item in a.iter() {
                match lookup(item, key) {
                    Value::Undefined => {}
                    Value::Array(x, _) => out.extend(x.iter().cloned()),
                    v => out.push(v),
                }
            }
            Value::seq(out)
        }
        _ => Value::Undefined,
    }
}

fn flatten_into(v: &Value, out: &mut Vec<Value>) {
    match v {
        Value::Array(a, _) => {
            for x in a.iter() {
                flatten_into(x, out);
            }
        }
        Value::Undefined => {}
        v => out.push(v.clone()),
    }
}

fn descendants(v: &Value, out: &mut Vec<Value>) {
    match v {
        Value::Array(a, _) => {
            for x in a.iter() {
                descendants(x, out);
            }
        }
        Value::Object(o) => {
            out.push(v.clone());
            for x in o.values() {
                descendants(x, out);
            }
        }
        Value::Undefined => {}
        v => out.push(v.clone()),
    }
}

/// The most items one array or sequence may hold, and the longest string `&` may build: an expression that doubles
/// a value on each recursive call (`$f([$s, $s], $n - 1)`) reaches gigabytes within the depth and time limits, so
/// growth is bounded where values are built. Far past any Step Functions payload (256 KiB).
pub(crate) const MAX_ITEMS: usize = 10_000_000;
pub(crate) const MAX_STRING_BYTES: usize = 100_000_000;

pub(crate) fn within_item_limit(items: usize, pos: usize) -> Result<(), Error> {
    if items > MAX_ITEMS {
        return Err(Error::new(
            "U1002",
            format!("The expression built a sequence of more than {MAX_ITEMS} items"),
        )
        .at(pos));
    }
    Ok(())
}
