//! The variables an expression reads from outside itself: every `$name` that is not bound inside it (by `:=`, a
//! function's parameters, `#$i` or `@$v`), not called as a function, and not the context references `$` and `$$`.
//! Step Functions' validation of `Assign` reads these to tell which workflow variables a state needs.

use crate::parser::{Kind, Node, Stage};
use std::collections::BTreeSet;

/// Deeper trees are not walked further: the walk then reports fewer reads, never a false one.
const MAX_DEPTH: usize = 256;

/// Names read and not bound, in order of first appearance.
pub(crate) fn free_variables(node: &Node) -> Vec<String> {
    let mut walk = Walk {
        scopes: vec![BTreeSet::new()],
        reads: Vec::new(),
    };
    walk.node(node, 0);
    walk.reads
}

struct Walk {
    /// Names bound in each enclosing block or function, innermost last.
    scopes: Vec<BTreeSet<String>>,
    reads: Vec<String>,
}

impl Walk {
    fn bound(&self, name: &str) -> bool {
        self.scopes.iter().any(|scope| scope.contains(name))
    }

    fn bind(&mut self, name: &str) {
        if let Some(scope) = self.scopes.last_mut() {
            scope.insert(name.to_string());
        }
    }

    fn read(&mut self, name: &str) {
        if !name.is_empty()
            && name != "$"
            && !self.bound(name)
            && !self.reads.iter().any(|r| r == name)
        {
            self.reads.push(name.to_string());
        }
    }

    fn scoped(&mut self, names: &[String], f: impl FnOnce(&mut Walk)) {
        self.scopes.push(names.iter().cloned().collect());
        f(self);
        self.scopes.pop();
    }

    fn node(&mut self, node: &Node, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        let depth = depth + 1;
        // Index and focus bindings (`#$i`, `@$v`) name values inside the path: bound for the whole expression.
        if let Some(focus) = &node.focus {
            self.bind(focus);
        }
        for stage in &node.stages {
            match stage {
                Stage::Index(name) => self.bind(name),
                Stage::Filter(filter) => self.node(filter, depth),
            }
        }
        for (key, value) in node.group.iter().flatten() {
            self.node(key, depth);
            self.node(value, depth);
        }
        match &node.kind {
            Kind::Var(name) => self.read(name),
            Kind::Path(steps) | Kind::Array(steps) => {
                steps.iter().for_each(|step| self.node(step, depth))
            }
            Kind::Block(nodes) => self.scoped(&[], |walk| {
                nodes.iter().for_each(|node| walk.node(node, depth))
            }),
            Kind::Binary(_, left, right) | Kind::Apply(left, right) => {
                self.node(left, depth);
                self.node(right, depth);
            }
            Kind::Neg(inner) => self.node(inner, depth),
            Kind::Object(pairs) => pairs.iter().for_each(|(key, value)| {
                self.node(key, depth);
                self.node(value, depth);
            }),
            Kind::Sort(terms) => terms.iter().for_each(|(term, _)| self.node(term, depth)),
            Kind::Cond(test, then, otherwise) => {
                self.node(test, depth);
                self.node(then, depth);
                if let Some(otherwise) = otherwise {
                    self.node(otherwise, depth);
                }
            }
            Kind::Bind(name, value) => {
                self.node(value, depth);
                self.bind(name);
            }
            Kind::Lambda { params, body, .. } => self.scoped(params, |walk| walk.node(body, depth)),
            Kind::Call { func, args, .. } => {
                // `$name(...)` calls a function (a built-in or one bound in the expression): not a variable read.
                if !matches!(func.kind, Kind::Var(_)) {
                    self.node(func, depth);
                }
                args.iter().for_each(|arg| self.node(arg, depth));
            }
            Kind::Transform(pattern, update, delete) => {
                self.node(pattern, depth);
                self.node(update, depth);
                if let Some(delete) = delete {
                    self.node(delete, depth);
                }
            }
            Kind::Str(_)
            | Kind::Num(_)
            | Kind::Bool(_)
            | Kind::Null
            | Kind::Regex(_)
            | Kind::Name(_)
            | Kind::Wildcard
            | Kind::Descendants
            | Kind::Parent
            | Kind::Placeholder => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::Expression;

    fn reads(text: &str) -> Vec<String> {
        Expression::parse(text).unwrap().free_variables()
    }

    #[test]
    fn reads_what_is_not_bound_called_or_the_context() {
        assert_eq!(reads("$total + $states.input.n"), ["total", "states"]);
        assert_eq!(reads("($x := 1; $x + $y)"), ["y"]);
        assert_eq!(
            reads("$map($items, function($v) { $v * $rate })"),
            ["items", "rate"]
        );
        assert_eq!(
            reads("$sum(lines.price) & '$notAVariable'"),
            Vec::<String>::new()
        );
        assert_eq!(reads("$ + $$.a"), Vec::<String>::new());
        assert_eq!(reads("items#$i[$i > $limit]"), ["limit"]);
    }
}
