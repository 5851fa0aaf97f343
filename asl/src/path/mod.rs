//! JSONPath as Step Functions reads it: parsed once into segments, so validation can tell a malformed path from a
//! valid one and a *reference path* (a single, definite node: `ResultPath`, the `Variable` of a Choice rule) from a
//! path that may select many nodes, and so the executor can evaluate it.
//!
//! Written here rather than taken from a JSONPath crate because AWS's dialect (the `$$` context root, the
//! reference-path restriction, the error names) is what matters, and no crate checks it.

use std::fmt;

mod filter;
pub use filter::{Comparison, Filter, Operand, MAX_FILTER_DEPTH};

/// The most segments a path may have: as many as a payload may nest ([`crate::limits::MAX_JSON_DEPTH`]), since a
/// longer path can select nothing and placing a result at it would build data too deep to hand on (stepfn's bound:
/// AWS documents none, beyond the definition's size).
pub const MAX_SEGMENTS: usize = crate::limits::MAX_JSON_DEPTH;

/// What a path starts from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Root {
    /// `$`: the state's input (or effective input).
    Input,
    /// `$$`: the context object.
    Context,
    /// `$name`: a workflow variable.
    Variable(String),
}

/// One step of a path.
#[derive(Debug, Clone, PartialEq)]
pub enum Segment {
    /// `.name` or `['name']`
    Field(String),
    /// `[3]` (negative counts from the end)
    Index(i64),
    /// `.*` or `[*]`
    Wildcard,
    /// `..name` or `..*`
    Descendants(Option<String>),
    /// `[start:end:step]`
    Slice(Option<i64>, Option<i64>, Option<i64>),
    /// `[0,2]` or `['a','b']`
    Union(Vec<Selector>),
    /// `[?(...)]`
    Filter(Box<Filter>),
}

/// A member of a union.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    Field(String),
    Index(i64),
}

/// A parsed path.
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    pub root: Root,
    pub segments: Vec<Segment>,
}

/// A parsed path with its text as written, for messages.
#[derive(Debug, Clone, PartialEq)]
pub struct PathText {
    pub text: String,
    pub path: Path,
}

/// Why a string is not a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathError {
    pub message: String,
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl Path {
    /// Parses `text` as a JSONPath.
    pub fn parse(text: &str) -> Result<Path, PathError> {
        Path::parse_nested(text, 0)
    }

    /// Parses a path that sits `depth` filters deep.
    fn parse_nested(text: &str, depth: usize) -> Result<Path, PathError> {
        Parser {
            text,
            chars: text.char_indices().collect(),
            at: 0,
            depth,
        }
        .path()
    }

    /// Whether the path names exactly one node by names and indexes only (what AWS calls a reference path).
    pub fn is_reference(&self) -> bool {
        self.segments
            .iter()
            .all(|s| matches!(s, Segment::Field(_) | Segment::Index(_)))
    }

    /// Whether the path can select only one node (no wildcard, descendants, slice, union or filter).
    pub fn is_definite(&self) -> bool {
        self.is_reference()
    }
}

struct Parser<'a> {
    text: &'a str,
    chars: Vec<(usize, char)>,
    at: usize,
    /// How many filters enclose this path.
    depth: usize,
}

impl Parser<'_> {
    fn error(&self, what: impl fmt::Display) -> PathError {
        PathError {
            message: format!("`{}` is not a valid JSONPath: {what}", shorten(self.text)),
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).map(|(_, c)| *c)
    }

    fn peek_at(&self, offset: usize) -> Option<char> {
        self.chars.get(self.at + offset).map(|(_, c)| *c)
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn path(mut self) -> Result<Path, PathError> {
        if !self.eat('$') {
            return Err(self.error("a path starts with `$`"));
        }
        let root = if self.eat('$') {
            Root::Context
        } else if self.peek().is_some_and(crate::names::is_variable_start) {
            Root::Variable(self.name())
        } else {
            Root::Input
        };
        let mut segments = Vec::new();
        while let Some(c) = self.peek() {
            let segment = match c {
                '.' if self.peek_at(1) == Some('.') => {
                    self.at += 2;
                    if self.eat('*') {
                        Segment::Descendants(None)
                    } else {
                        let name = self.name();
                        if name.is_empty() {
                            return Err(self.error("`..` needs a name or `*` after it"));
                        }
                        Segment::Descendants(Some(name))
                    }
                }
                '.' => {
                    self.at += 1;
                    if self.eat('*') {
                        Segment::Wildcard
                    } else {
                        let name = self.name();
                        if name.is_empty() {
                            return Err(self.error("`.` needs a field name after it"));
                        }
                        Segment::Field(name)
                    }
                }
                '[' => {
                    self.at += 1;
                    let segment = self.bracket()?;
                    if !self.eat(']') {
                        return Err(self.error("`[` is not closed by `]`"));
                    }
                    segment
                }
                other => {
                    return Err(self.error(format!("unexpected `{other}`; expected `.` or `[`")))
                }
            };
            segments.push(segment);
            if segments.len() > MAX_SEGMENTS {
                return Err(self.error(format!("a path has at most {MAX_SEGMENTS} segments")));
            }
        }
        Ok(Path { root, segments })
    }

    /// A field name after `.`: everything up to the next `.` or `[`; a backslash takes the next character as it is
    /// (`$.foo\@bar.baz\[\[` names `foo@bar`, then `baz[[`, as the States Language specification shows).
    fn name(&mut self) -> String {
        let mut name = String::new();
        while let Some(c) = self.peek() {
            if c == '\\' {
                if let Some(escaped) = self.peek_at(1) {
                    name.push(escaped);
                    self.at += 2;
                    continue;
                }
            }
            if c == '.' || c == '[' || c == ']' || c.is_whitespace() {
                break;
            }
            name.push(c);
            self.at += 1;
        }
        name
    }

    fn bracket(&mut self) -> Result<Segment, PathError> {
        self.skip_spaces();
        match self.peek() {
            Some('*') => {
                self.at += 1;
                self.skip_spaces();
                Ok(Segment::Wildcard)
            }
            Some('?') => {
                self.at += 1;
                if !self.eat('(') {
                    return Err(self.error("a filter is written `[?(...)]`"));
                }
                let start = self.at;
                let mut depth = 1;
                let mut quote = None;
                while let Some(c) = self.peek() {
                    match (quote, c) {
                        // A backslash in a quoted string takes the next character, as the filter parser reads it.
                        (Some(_), '\\') => self.at += 1,
                        (Some(q), c) if c == q => quote = None,
                        (Some(_), _) => {}
                        (None, '\'' | '"') => quote = Some(c),
                        (None, '(') => depth += 1,
                        (None, ')') => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    self.at += 1;
                }
                if depth != 0 {
                    return Err(self.error("the filter's `(` is not closed"));
                }
                let expression: String =
                    self.chars[start..self.at].iter().map(|(_, c)| c).collect();
                self.at += 1;
                if expression.trim().is_empty() {
                    return Err(self.error("the filter is empty"));
                }
                Filter::parse(&expression, self.depth)
                    .map(|filter| Segment::Filter(Box::new(filter)))
                    .map_err(|message| self.error(message))
            }
            Some('\'' | '"') => {
                let mut names = vec![Selector::Field(self.quoted()?)];
                while self.comma() {
                    names.push(Selector::Field(self.quoted()?));
                }
                Ok(match names.as_slice() {
                    [Selector::Field(name)] => Segment::Field(name.clone()),
                    _ => Segment::Union(names),
                })
            }
            Some(c) if c == '-' || c == ':' || c.is_ascii_digit() => self.numbers(),
            // Goessner's script expressions, `$[(@.length-1)]`: AWS's paths follow Jayway JsonPath, which has
            // none (its operators are `$ @ * .. .name ['name'] [n] [start:end] [?(filter)]`).
            Some('(') => Err(self.error(
                "script expressions `[(...)]` are not part of the JSONPath AWS reads: for the last item write `[-1]`, to select by a condition write a filter `[?(...)]`",
            )),
            Some(other) => Err(self.error(format!("unexpected `{other}` in brackets"))),
            None => Err(self.error("the path ends inside `[`")),
        }
    }

    fn skip_spaces(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.at += 1;
        }
    }

    fn comma(&mut self) -> bool {
        self.skip_spaces();
        let found = self.eat(',');
        self.skip_spaces();
        found
    }

    fn quoted(&mut self) -> Result<String, PathError> {
        self.skip_spaces();
        let Some(quote) = self.peek().filter(|c| *c == '\'' || *c == '"') else {
            return Err(self.error("expected a quoted name"));
        };
        self.at += 1;
        let mut name = String::new();
        loop {
            match self.peek() {
                None => return Err(self.error("a quoted name is not closed")),
                // Only the closing quote can be escaped; any other backslash is part of the name, as AWS
                // (Jayway) reads `$['Test\""Name"']`.
                Some('\\') if self.peek_at(1) == Some(quote) => {
                    name.push(quote);
                    self.at += 2;
                }
                Some(c) if c == quote => {
                    self.at += 1;
                    self.skip_spaces();
                    return Ok(name);
                }
                Some(c) => {
                    name.push(c);
                    self.at += 1;
                }
            }
        }
    }

    fn integer(&mut self) -> Result<Option<i64>, PathError> {
        self.skip_spaces();
        let start = self.at;
        if self.peek() == Some('-') {
            self.at += 1;
        }
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.at += 1;
        }
        let text: String = self.chars[start..self.at].iter().map(|(_, c)| c).collect();
        self.skip_spaces();
        if text.is_empty() {
            return Ok(None);
        }
        text.parse()
            .map(Some)
            .map_err(|_| self.error(format!("`{text}` is not a whole number")))
    }

    /// `[3]`, `[1,2]`, `[1:3]`, `[::2]`.
    fn numbers(&mut self) -> Result<Segment, PathError> {
        let first = self.integer()?;
        if self.peek() == Some(':') {
            self.at += 1;
            let end = self.integer()?;
            let step = if self.eat(':') { self.integer()? } else { None };
            if step == Some(0) {
                return Err(self.error("a slice step cannot be 0"));
            }
            return Ok(Segment::Slice(first, end, step));
        }
        let Some(first) = first else {
            return Err(self.error("expected an index"));
        };
        let mut indexes = vec![Selector::Index(first)];
        while self.comma() {
            let Some(next) = self.integer()? else {
                return Err(self.error("expected an index after `,`"));
            };
            indexes.push(Selector::Index(next));
        }
        Ok(match indexes.as_slice() {
            [Selector::Index(i)] => Segment::Index(*i),
            _ => Segment::Union(indexes),
        })
    }
}

/// `text` as a message quotes it: whole when short, else its start and how long it is (a path of 200,000 `!` would
/// otherwise make a message of as many).
pub(crate) fn shorten(text: &str) -> String {
    const SHOWN: usize = 80;
    match text.char_indices().nth(SHOWN) {
        None => text.to_string(),
        Some((end, _)) => format!("{}… ({} characters)", &text[..end], text.chars().count()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Path {
        Path::parse(text).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn parses_the_forms_aws_documents() {
        assert_eq!(parse("$").segments, vec![]);
        assert_eq!(
            parse("$.a.b").segments,
            vec![Segment::Field("a".into()), Segment::Field("b".into())]
        );
        assert_eq!(
            parse("$['a b'][0]").segments,
            vec![Segment::Field("a b".into()), Segment::Index(0)]
        );
        assert_eq!(parse("$.items[*].id").segments[1], Segment::Wildcard);
        assert_eq!(
            parse("$..price").segments,
            vec![Segment::Descendants(Some("price".into()))]
        );
        assert_eq!(
            parse("$.a[1:3]").segments[1],
            Segment::Slice(Some(1), Some(3), None)
        );
        assert_eq!(
            parse("$.a[-1:]").segments[1],
            Segment::Slice(Some(-1), None, None)
        );
        assert_eq!(
            parse("$.a[0,2]").segments[1],
            Segment::Union(vec![Selector::Index(0), Selector::Index(2)])
        );
        let Segment::Filter(filter) = &parse("$.a[?(@.price < 10)]").segments[1] else {
            panic!("not a filter")
        };
        assert!(matches!(
            **filter,
            Filter::Compare(
                Operand::Path { current: true, .. },
                Comparison::Lt,
                Operand::Literal(_)
            )
        ));
        assert_eq!(parse("$$.Execution.Id").root, Root::Context);
        assert_eq!(parse("$order.id").root, Root::Variable("order".into()));
    }

    #[test]
    fn reads_the_specification_escapes() {
        let path = parse("$.foo\\@bar.baz\\[\\[.\\?pretty");
        let fields = ["foo@bar", "baz[[", "?pretty"].map(|f| Segment::Field(f.into()));
        assert_eq!(path.segments, fields);
        assert!(path.is_reference());
        assert_eq!(
            parse("$.store\\.book").segments,
            vec![Segment::Field("store.book".into())]
        );
    }

    #[test]
    fn tells_reference_paths() {
        assert!(parse("$.a[0].b").is_reference());
        assert!(!parse("$.a[*]").is_reference());
        assert!(!parse("$..a").is_reference());
        assert!(!parse("$.a[?(@.x)]").is_reference());
    }

    #[test]
    fn rejects_malformed_paths() {
        for bad in [
            "",
            "a.b",
            "$.",
            "$..",
            "$[",
            "$.a[",
            "$.a[x]",
            "$.a['b]",
            "$.a[?(@.x]",
            "$.a[1:2:0]",
            "$ .a",
            "$.a[?(garbage)]",
            "$.a[?(@.x == )]",
            "$.a[?(@.x == 'open)]",
        ] {
            assert!(Path::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn filters_nest_to_a_limit_and_never_exhaust_the_stack() {
        assert!(Path::parse("$.a[?(!(@.b))]").is_ok());
        assert!(Path::parse("$.a[?(@.b[?(@.c > 1)])]").is_ok());
        let deep = format!("$.a[?({}@.b)]", "!".repeat(200_000));
        let error = Path::parse(&deep).unwrap_err();
        assert!(error.message.contains("nests deeper than"), "{error}");
        let nested = format!("$.a{}", "[?(@.b".repeat(5_000));
        assert!(Path::parse(&nested).is_err());
    }

    #[test]
    fn a_backslash_escapes_the_quote_in_a_filter_string() {
        let Segment::Filter(filter) = &parse(r"$.a[?(@.n == 'it\'s')]").segments[1] else {
            panic!("not a filter")
        };
        assert!(matches!(&**filter, Filter::Compare(_, _, Operand::Literal(v)) if v == "it's"));
    }
}
