//! Pratt parser: tokens → AST. Paths are built here (`a.b[0].c` becomes one `Path` whose steps carry their own
//! predicates), because JSONata's predicate, focus (`@`), index (`#`) and sort (`^`) semantics depend on which
//! step they are attached to.

use std::sync::Arc;

use crate::lexer::{Lexer, Tok, Token};
use crate::Error;

#[derive(Debug, Clone)]
pub enum Stage {
    Filter(Node),
    Index(String),
}

#[derive(Debug, Clone)]
pub struct Node {
    pub kind: Kind,
    pub pos: usize,
    /// Predicates / index bindings applied to this step (or to the value of a non-path expression).
    pub stages: Vec<Stage>,
    /// `[]` seen: keep a singleton result as an array.
    pub keep_array: bool,
    /// `@$v` context binding on this step.
    pub focus: Option<String>,
    /// Group-by object constructor `expr{...}`.
    pub group: Option<Vec<(Node, Node)>>,
}

#[derive(Debug, Clone)]
pub enum Kind {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
    Regex(Arc<crate::value::Regex>),
    Name(String),
    Wildcard,
    Descendants,
    Parent,
    Var(String),
    Path(Vec<Node>),
    Binary(&'static str, Box<Node>, Box<Node>),
    Neg(Box<Node>),
    Array(Vec<Node>),
    Object(Vec<(Node, Node)>),
    Sort(Vec<(Node, bool)>),
    Cond(Box<Node>, Box<Node>, Option<Box<Node>>),
    Bind(String, Box<Node>),
    Block(Vec<Node>),
    Lambda {
        params: Vec<String>,
        body: Arc<Node>,
        signature: Option<String>,
    },
    Call {
        func: Box<Node>,
        args: Vec<Node>,
        partial: bool,
    },
    Placeholder,
    Apply(Box<Node>, Box<Node>),
    Transform(Arc<Node>, Arc<Node>, Option<Arc<Node>>),
}

impl Node {
    pub fn new(kind: Kind, pos: usize) -> Node {
        Node {
            kind,
            pos,
            stages: vec![],
            keep_array: false,
            focus: None,
            group: None,
        }
    }
}

pub fn parse(src: &str) -> Result<Node, Error> {
    parse_with_flags(src).map(|(n, _)| n)
}

/// Parses, also reporting whether the parent operator `%` occurs (which changes how paths are evaluated).
pub fn parse_with_flags(src: &str) -> Result<(Node, bool), Error> {
    // Parse on the caller's stack within a small budget; deeply nested text is re-parsed on a dedicated thread
    // with a large stack, so parsing never overflows whatever stack the host gave us.
    match parse_within(src, INLINE_STACK_BUDGET) {
        Err(e) if e.code == crate::evaluate::STACK_CODE => std::thread::scope(|s| {
            std::thread::Builder::new()
                .stack_size(BIG_STACK)
                .spawn_scoped(s, || parse_within(src, BIG_STACK - BIG_STACK / 8))
                .map_err(|e| Error::new("S0201", format!("Cannot start parser thread: {e}")))?
                .join()
                .unwrap_or_else(|_| Err(Error::new("S0201", "Parser failed")))
        }),
        r => r,
    }
}

/// Stack the evaluator and parser may use on the caller's thread before moving to a dedicated thread.
pub const INLINE_STACK_BUDGET: usize = 96 * 1024;
/// Stack size of the dedicated thread for deep parses/evaluations.
pub const BIG_STACK: usize = 256 * 1024 * 1024;
/// The most levels a parsed tree may have (an upper bound counted while parsing). Nesting is limited by `depth`,
/// but a chain of operators (`1+1+1...`) builds a tree as deep as it is long without nesting anything, and dropping
/// or walking such a tree recursively overflows any stack.
const MAX_HEIGHT: usize = 2000;

fn parse_within(src: &str, budget: usize) -> Result<(Node, bool), Error> {
    let base = 0u8;
    let mut p = Parser {
        stack_base: std::ptr::addr_of!(base) as usize,
        stack_budget: budget,
        lexer: Lexer::new(src),
        tok: Token {
            tok: Tok::End,
            pos: 0,
        },
        depth: 0,
        inner_height: 0,
        uses_parent: false,
        pending: None,
    };
    p.advance(true)?;
    let node = p.expression(0)?;
    if p.tok.tok != Tok::End {
        return Err(Error::new(
            "S0201",
            format!("Syntax error: unexpected token {:?}", p.tok.tok),
        )
        .at(p.tok.pos));
    }
    if let Some(e) = p.pending {
        return Err(e);
    }
    Ok((node, p.uses_parent))
}

struct Parser<'a> {
    lexer: Lexer<'a>,
    tok: Token,
    depth: usize,
    /// The height bound of the tallest expression completed inside the one being parsed.
    inner_height: usize,
    uses_parent: bool,
    pending: Option<Error>,
    stack_base: usize,
    stack_budget: usize,
}

fn lbp(t: &Tok) -> u8 {
    match t {
        Tok::Op(op) => match *op {
            "." => 75,
            "[" | "(" | "@" | "#" => 80,
            "{" => 70,
            "?" | ".." => 20,
            "+" | "-" | "&" => 50,
            "*" | "/" | "%" | "**" => 60,
            "=" | "<" | ">" | "^" | "!=" | "<=" | ">=" | "~>" | "?:" | "??" | "in" => 40,
            ":=" => 10,
            "and" => 30,
            "or" => 25,
            _ => 0,
        },
        _ => 0,
    }
}

impl<'a> Parser<'a> {
    fn advance(&mut self, prefix: bool) -> Result<(), Error> {
        self.tok = self.lexer.next(prefix)?;
        Ok(())
    }

    fn expect(&mut self, op: &str, prefix_after: bool) -> Result<(), Error> {
        if self.tok.tok == Tok::Op(static_op(op)) {
            self.advance(prefix_after)
        } else if self.tok.tok == Tok::End {
            Err(Error::new(
                "S0203",
                format!("Expected \"{op}\" before end of expression"),
            )
            .at(self.tok.pos))
        } else {
            Err(Error::new(
                "S0202",
                format!("Expected \"{op}\", got {:?}", self.tok.tok),
            )
            .at(self.tok.pos))
        }
    }

    fn is(&self, op: &str) -> bool {
        matches!(&self.tok.tok, Tok::Op(o) if *o == op)
    }

    fn expression(&mut self, rbp: u8) -> Result<Node, Error> {
        self.depth += 1;
        if self.depth > 400 {
            return Err(Error::new("S0201", "Expression too deeply nested").at(self.tok.pos));
        }
        let here = 0u8;
        if self.stack_base.abs_diff(std::ptr::addr_of!(here) as usize) > self.stack_budget {
            return Err(
                Error::new(crate::evaluate::STACK_CODE, "Parser stack budget exhausted")
                    .at(self.tok.pos),
            );
        }
        let outer = std::mem::take(&mut self.inner_height);
        let t = self.tok.clone();
        self.advance(false)?;
        let mut left = self.nud(t)?;
        // A bound on the height of `left`: a prefix form adds at most three levels to what it contains.
        let mut height = self.inner_height + 3;
        while rbp < lbp(&self.tok.tok) {
            let t = self.tok.clone();
            self.advance(true)?;
            let grows = grows_left(&t.tok, &left);
            let pos = t.pos;
            self.inner_height = 0;
            left = self.led(t, left)?;
            height = (height + usize::from(grows)).max(self.inner_height + 3);
            if height > MAX_HEIGHT {
                return Err(Error::new("S0201", "Expression too deeply nested").at(pos));
            }
        }
        self.depth -= 1;
        self.inner_height = outer.max(height);
        Ok(left)
    }

    fn nud(&mut self, t: Token) -> Result<Node, Error> {
        let pos = t.pos;
        Ok(match t.tok {
            Tok::Str(s) => Node::new(Kind::Str(s), pos),
            Tok::Num(n) => Node::new(Kind::Num(n), pos),
            Tok::Regex(p, f) => Node::new(
                Kind::Regex(Arc::new(
                    crate::value::Regex::new(&p, &f).map_err(|e| e.at(pos))?,
                )),
                pos,
            ),
            Tok::Quoted(n) => path(vec![Node::new(Kind::Name(n), pos)], pos),
            Tok::Var(v) => Node::new(Kind::Var(v), pos),
            Tok::Name(n) => match n.as_str() {
                "true" => Node::new(Kind::Bool(true), pos),
                "false" => Node::new(Kind::Bool(false), pos),
                "null" => Node::new(Kind::Null, pos),
                "function" if self.is("(") => self.lambda(pos)?,
                _ => path(vec![Node::new(Kind::Name(n), pos)], pos),
            },
            Tok::Op(op) => match op {
                "and" | "or" | "in" => path(vec![Node::new(Kind::Name(op.to_string()), pos)], pos),
                "-" => {
                    let e = self.expression(70)?;
                    if let Kind::Num(n) = e.kind {
                        Node::new(Kind::Num(-n), pos)
                    } else {
                        Node::new(Kind::Neg(Box::new(e)), pos)
                    }
                }
                "*" => path(vec![Node::new(Kind::Wildcard, pos)], pos),
                "**" => path(vec![Node::new(Kind::Descendants, pos)], pos),
                "%" => {
                    self.uses_parent = true;
                    path(vec![Node::new(Kind::Parent, pos)], pos)
                }
                "?" => Node::new(Kind::Placeholder, pos),
                "(" => {
                    let mut items = vec![];
                    while !self.is(")") {
                        items.push(self.expression(0)?);
                        if !self.is(";") {
                            break;
                        }
                        self.advance(true)?;
                    }
                    self.expect(")", false)?;
                    Node::new(Kind::Block(items), pos)
                }
                "[" => {
                    let mut items = vec![];
                    if !self.is("]") {
                        loop {
                            let mut item = self.expression(0)?;
                            if self.is("..") {
                                self.advance(true)?;
                                let rhs = self.expression(0)?;
                                item = Node::new(
                                    Kind::Binary("..", Box::new(item), Box::new(rhs)),
                                    pos,
                                );
                            }
                            items.push(item);
                            if !self.is(",") {
                                break;
                            }
                            self.advance(true)?;
                        }
                    }
                    self.expect("]", false)?;
                    Node::new(Kind::Array(items), pos)
                }
                "{" => Node::new(Kind::Object(self.object_body()?), pos),
                "|" => {
                    let pattern = self.expression(0)?;
                    self.expect("|", true)?;
                    let update = self.expression(0)?;
                    let delete = if self.is(",") {
                        self.advance(true)?;
                        Some(Arc::new(self.expression(0)?))
                    } else {
                        None
                    };
                    self.expect("|", false)?;
                    Node::new(
                        Kind::Transform(Arc::new(pattern), Arc::new(update), delete),
                        pos,
                    )
                }
                _ => {
                    return Err(Error::new(
                        "S0211",
                        format!("The symbol {op} cannot be used as a unary operator"),
                    )
                    .at(pos))
                }
            },
            Tok::End => return Err(Error::new("S0207", "Unexpected end of expression").at(pos)),
        })
    }

    fn object_body(&mut self) -> Result<Vec<(Node, Node)>, Error> {
        let mut pairs = vec![];
        if !self.is("}") {
            loop {
                let k = self.expression(0)?;
                self.expect(":", true)?;
                let v = self.expression(0)?;
                pairs.push((k, v));
                if !self.is(",") {
                    break;
                }
                self.advance(true)?;
            }
        }
        self.expect("}", false)?;
        Ok(pairs)
    }

    fn lambda(&mut self, pos: usize) -> Result<Node, Error> {
        self.expect("(", true)?;
        let mut params = vec![];
        while !self.is(")") {
            match &self.tok.tok {
                Tok::Var(v) => params.push(v.clone()),
                _ => {
                    return Err(Error::new(
                        "S0208",
                        "Parameter of function definition must be a variable name",
                    )
                    .at(self.tok.pos))
                }
            }
            self.advance(false)?;
            if self.is(",") {
                self.advance(true)?;
            }
        }
        self.advance(false)?;
        let mut signature = None;
        if self.is("<") {
            // signature: raw text up to the matching '>'
            let start = self.tok.pos;
            let src = self.lexer_src();
            let mut depth = 0;
            let mut end = start;
            for (i, c) in src[start..].char_indices() {
                if c == '<' {
                    depth += 1;
                } else if c == '>' {
                    depth -= 1;
                    if depth == 0 {
                        end = start + i;
                        break;
                    }
                }
            }
            if end == start {
                return Err(
                    Error::new("S0401", "Function signature is not terminated with '>'").at(start),
                );
            }
            let text = src[start + 1..end].to_string();
            // checked here so that malformed signatures are syntax errors
            crate::functions::Signature::parse(&text).map_err(|e| e.at(start))?;
            signature = Some(text);
            self.lexer = Lexer::at(src, end + 1);
            self.advance(false)?;
        }
        self.expect("{", true)?;
        let body = if self.is("}") {
            Node::new(Kind::Block(vec![]), pos)
        } else {
            self.expression(0)?
        };
        self.expect("}", false)?;
        Ok(Node::new(
            Kind::Lambda {
                params,
                body: Arc::new(body),
                signature,
            },
            pos,
        ))
    }

    fn lexer_src(&self) -> &'a str {
        self.lexer.src()
    }

    fn led(&mut self, t: Token, left: Node) -> Result<Node, Error> {
        let pos = t.pos;
        let Tok::Op(op) = t.tok else {
            return Err(Error::new("S0201", "Syntax error").at(pos));
        };
        Ok(match op {
            "." => {
                let right = self.expression(75)?;
                if matches!(right.kind, Kind::Num(_) | Kind::Bool(_) | Kind::Null)
                    && self.pending.is_none()
                {
                    // reported after parsing completes, so plain syntax errors take precedence
                    self.pending = Some(
                        Error::new(
                            "S0213",
                            "The literal value cannot be used as a step within a path expression",
                        )
                        .at(right.pos),
                    );
                }
                let mut steps = into_steps(left);
                match right.kind {
                    Kind::Path(rs) if right.stages.is_empty() && right.group.is_none() => {
                        steps.extend(rs)
                    }
                    Kind::Str(s) => steps.push(Node {
                        kind: Kind::Name(s),
                        ..right
                    }),
                    _ => steps.push(right),
                }
                path(steps, pos)
            }
            "[" => {
                if left.group.is_some() {
                    return Err(Error::new(
                        "S0209",
                        "A predicate cannot follow a grouping expression in a step",
                    )
                    .at(pos));
                }
                if self.is("]") {
                    self.advance(false)?;
                    let mut left = left;
                    left.keep_array = true;
                    if let Kind::Path(steps) = &mut left.kind {
                        if let Some(last) = steps.last_mut() {
                            last.keep_array = true;
                        }
                    }
                    return Ok(left);
                }
                let pred = self.expression(0)?;
                self.expect("]", false)?;
                attach_stage(left, Stage::Filter(pred))
            }
            "{" => {
                let pairs = self.object_body()?;
                let mut left = left;
                if left.group.is_some() {
                    return Err(Error::new(
                        "S0210",
                        "Each step can only have one grouping expression",
                    )
                    .at(pos));
                }
                left.group = Some(pairs);
                left
            }
            "(" => {
                let mut args = vec![];
                let mut partial = false;
                while !self.is(")") {
                    let a = self.expression(0)?;
                    if matches!(a.kind, Kind::Placeholder) {
                        partial = true;
                    }
                    args.push(a);
                    if !self.is(",") {
                        break;
                    }
                    self.advance(true)?;
                }
                self.expect(")", false)?;
                let func = match left.kind {
                    Kind::Path(ref s)
                        if s.len() == 1
                            && matches!(s[0].kind, Kind::Name(ref n) if n == "function" || n == "λ") =>
                    {
                        return Err(Error::new("S0201", "Syntax error").at(pos))
                    }
                    _ => left,
                };
                Node::new(
                    Kind::Call {
                        func: Box::new(func),
                        args,
                        partial,
                    },
                    pos,
                )
            }
            "@" => {
                if let Kind::Path(steps) = &left.kind {
                    match steps.last() {
                        Some(s) if matches!(s.kind, Kind::Sort(_)) => {
                            return Err(Error::new("S0216", "A context variable binding must precede the 'order-by' clause on a step").at(pos))
                        }
                        Some(s) if s.stages.iter().any(|st| matches!(st, Stage::Filter(_))) => {
                            return Err(Error::new("S0215", "A context variable binding must precede any predicates on a step").at(pos))
                        }
                        _ => {}
                    }
                }
                let Tok::Var(v) = self.tok.tok.clone() else {
                    return Err(Error::new(
                        "S0214",
                        "The right side of @ must be a variable name (start with $)",
                    )
                    .at(self.tok.pos));
                };
                self.advance(false)?;
                let mut steps = into_steps(left);
                if let Some(last) = steps.last_mut() {
                    last.focus = Some(v);
                }
                path(steps, pos)
            }
            "#" => {
                let Tok::Var(v) = self.tok.tok.clone() else {
                    return Err(Error::new(
                        "S0214",
                        "The right side of # must be a variable name (start with $)",
                    )
                    .at(self.tok.pos));
                };
                self.advance(false)?;
                let steps = into_steps(left);
                let mut p = path(steps, pos);
                if let Kind::Path(steps) = &mut p.kind {
                    steps.last_mut().expect("step").stages.push(Stage::Index(v));
                }
                p
            }
            "^" => {
                self.expect("(", true)?;
                let mut terms = vec![];
                loop {
                    let mut desc = false;
                    if self.is("<") {
                        self.advance(true)?;
                    } else if self.is(">") {
                        desc = true;
                        self.advance(true)?;
                    }
                    terms.push((self.expression(0)?, desc));
                    if !self.is(",") {
                        break;
                    }
                    self.advance(true)?;
                }
                self.expect(")", false)?;
                let mut steps = into_steps(left);
                steps.push(Node::new(Kind::Sort(terms), pos));
                path(steps, pos)
            }
            "?" => {
                let then = self.expression(0)?;
                let otherwise = if self.is(":") {
                    self.advance(true)?;
                    Some(Box::new(self.expression(0)?))
                } else {
                    None
                };
                Node::new(Kind::Cond(Box::new(left), Box::new(then), otherwise), pos)
            }
            ":=" => {
                if !left.stages.is_empty() || left.keep_array || left.group.is_some() {
                    return Err(Error::new(
                        "S0212",
                        "The left side of := must be a variable name (start with $)",
                    )
                    .at(pos));
                }
                let Kind::Var(name) = left.kind else {
                    return Err(Error::new(
                        "S0212",
                        "The left side of := must be a variable name (start with $)",
                    )
                    .at(pos));
                };
                let rhs = self.expression(9)?;
                Node::new(Kind::Bind(name, Box::new(rhs)), pos)
            }
            "~>" => {
                let rhs = self.expression(40)?;
                Node::new(Kind::Apply(Box::new(left), Box::new(rhs)), pos)
            }
            "or" | "and" | "+" | "-" | "*" | "/" | "%" | "=" | "!=" | "<" | ">" | "<=" | ">="
            | "&" | "in" | ".." | "?:" | "??" => {
                let bp = lbp(&Tok::Op(op));
                let rhs = self.expression(bp)?;
                Node::new(Kind::Binary(op, Box::new(left), Box::new(rhs)), pos)
            }
            _ => return Err(Error::new("S0201", format!("Syntax error: \"{op}\"")).at(pos)),
        })
    }
}

/// Whether the infix operator `op` puts `left` one level deeper: every operator does, except those that extend a
/// path (`.`, `@`, `#`, `^`, a predicate, a group) whose steps sit side by side.
fn grows_left(op: &Tok, left: &Node) -> bool {
    let plain_path = matches!(left.kind, Kind::Path(_)) && left.group.is_none();
    match op {
        Tok::Op("." | "@" | "#" | "^") => !plain_path,
        // A predicate after a grouped step wraps the path in a block.
        Tok::Op("[") => {
            plain_path
                && matches!(&left.kind, Kind::Path(steps) if steps.last().is_some_and(|l| l.group.is_some()))
        }
        Tok::Op("{") => false,
        _ => true,
    }
}

fn static_op(op: &str) -> &'static str {
    match op {
        ")" => ")",
        "]" => "]",
        "}" => "}",
        ":" => ":",
        "|" => "|",
        "(" => "(",
        "{" => "{",
        _ => "?",
    }
}

fn path(steps: Vec<Node>, pos: usize) -> Node {
    Node::new(Kind::Path(steps), pos)
}

/// The steps of `left` when a path continues after it: a path without its own decorations is extended, anything
/// else becomes the first step.
fn into_steps(left: Node) -> Vec<Node> {
    match left.kind {
        Kind::Path(steps) if left.group.is_none() => steps,
        Kind::Str(s) => vec![Node {
            kind: Kind::Name(s),
            ..left
        }],
        _ => vec![left],
    }
}

fn attach_stage(left: Node, stage: Stage) -> Node {
    match left.kind {
        Kind::Path(mut steps) if left.group.is_none() => {
            let last = steps.last_mut().expect("path has steps");
            if last.group.is_some() {
                // predicate after a group-by applies to the grouped result
                let p = Node {
                    kind: Kind::Path(steps),
                    ..left
                };
                let mut wrapped = Node::new(Kind::Block(vec![p]), 0);
                wrapped.stages.push(stage);
                return wrapped;
            }
            last.stages.push(stage);
            Node {
                kind: Kind::Path(steps),
                ..left
            }
        }
        _ => {
            let mut left = left;
            left.stages.push(stage);
            left
        }
    }
}

impl<'a> Lexer<'a> {
    pub fn at(src: &'a str, pos: usize) -> Lexer<'a> {
        let mut l = Lexer::new(src);
        l.set_pos(pos);
        l
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    /// A long chain of operators parses into a tree as deep as the chain; dropping (or walking) such a tree
    /// recursively overflowed the stack (found by stepfn-fuzz), so the tree's height is bounded like the nesting.
    #[test]
    fn long_operator_chains_are_bounded() {
        let outcome = |text: String| {
            std::thread::Builder::new()
                .stack_size(1 << 20)
                .spawn(move || parse(&text).map(|_| ()).map_err(|e| e.code))
                .unwrap()
                .join()
                .expect("parsing and dropping do not overflow a 1 MiB stack")
        };
        let too_deep = Err("S0201".to_string());
        assert_eq!(outcome(format!("1{}", "+1".repeat(200_000))), too_deep);
        assert_eq!(outcome(format!("$a{}", " ~> $f".repeat(100_000))), too_deep);
        assert_eq!(outcome(format!("a{}", " ? b : c".repeat(50_000))), too_deep);
        assert_eq!(outcome(format!("f{}", "(1)".repeat(100_000))), too_deep);
        assert_eq!(
            outcome(format!("(a+b){}", ".c{'k': 1}".repeat(100_000))),
            too_deep
        );
        let _ = outcome(format!("A{}", "/[a-z]+/i".repeat(100_000)));
        // Paths and predicates sit side by side, so long ones still parse; so do chains of ordinary length.
        assert_eq!(outcome(format!("x{}", "[0]".repeat(100_000))), Ok(()));
        assert_eq!(outcome(format!("a{}", ".b".repeat(100_000))), Ok(()));
        assert_eq!(outcome(format!("1{}", "+1".repeat(1000))), Ok(()));
    }
}
