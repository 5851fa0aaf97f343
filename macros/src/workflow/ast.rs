//! The syntax of `workflow!`, parsed with every token kept so errors can point at it.
//!
//! ```text
//! workflow! {
//!     /// docs
//!     pub Name { Comment: "...", TimeoutSeconds: 300 }   // header: the type and top-level fields
//!
//!     step_a -> step_b { TimeoutSeconds: 30 } -> Done;   // chains: `->` is `Next`, `-> end` is `End: true`
//!     Done: Succeed;                                     // declarations: `Name: Type(arg) { Field: value }`
//! }
//! ```
//! A chain node is a step (a function path: a Task state named by the step), a declaration, a reference to a
//! state declared elsewhere (a capitalised name or a string), or `end`.

use super::value::{Fields, Value};
use proc_macro2::Span;
use syn::parse::{Parse, ParseStream};
use syn::{braced, parenthesized, Attribute, Ident, LitStr, Path, Token, Visibility};

pub struct WorkflowInput {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub name: Ident,
    pub fields: Fields,
    pub chains: Vec<Chain>,
}

/// `node -> node -> ...;`
pub struct Chain {
    pub nodes: Vec<Node>,
}

pub enum Node {
    /// A Task state over a step, named by the step.
    Step { path: Path, fields: Option<Fields> },
    /// `Name: Type(arg) { ... }`
    Decl(Decl),
    /// A state declared elsewhere.
    Ref(StateName),
    /// `end`: the previous state ends the execution.
    End(Span),
}

pub struct Decl {
    pub name: StateName,
    pub kind: Ident,
    pub arg: Option<TaskTarget>,
    pub fields: Option<Fields>,
}

/// What a `Task(...)` runs.
pub enum TaskTarget {
    Step(Path),
    Resource(LitStr),
}

/// A state name as written: an identifier or a string (for names that are not identifiers).
#[derive(Clone)]
pub struct StateName {
    pub value: String,
    pub span: Span,
}

impl Parse for WorkflowInput {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis: Visibility = input.parse()?;
        let name: Ident = input.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected the workflow's type name first, as in `pub OrderPipeline { ... }`",
            )
        })?;
        let fields = if input.peek(syn::token::Brace) {
            let content;
            braced!(content in input);
            content.parse()?
        } else {
            input.parse::<Option<Token![;]>>()?;
            Fields::default()
        };
        let mut chains = Vec::new();
        while !input.is_empty() {
            chains.push(input.parse()?);
        }
        if chains.is_empty() {
            return Err(syn::Error::new(
                name.span(),
                format!("workflow `{name}` has no states: add a chain such as `my_step -> end;` after its header"),
            ));
        }
        Ok(WorkflowInput {
            attrs,
            vis,
            name,
            fields,
            chains,
        })
    }
}

impl Parse for Chain {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut nodes = vec![input.parse::<Node>()?];
        while input.peek(Token![->]) {
            input.parse::<Token![->]>()?;
            nodes.push(input.parse()?);
        }
        if !input.is_empty() {
            input.parse::<Token![;]>().map_err(|e| {
                syn::Error::new(
                    e.span(),
                    "expected `->` to continue the chain or `;` to end it",
                )
            })?;
        }
        Ok(Chain { nodes })
    }
}

impl Parse for Node {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let declares = (input.peek(Ident) || input.peek(LitStr))
            && input.peek2(Token![:])
            && !input.peek2(Token![::]);
        if declares {
            return input.parse().map(Node::Decl);
        }
        if input.peek(LitStr) {
            let lit: LitStr = input.parse()?;
            return Ok(Node::Ref(StateName {
                value: lit.value(),
                span: lit.span(),
            }));
        }
        if input.peek(Token![::])
            || input.peek(Ident)
            || input.peek(Token![crate])
            || input.peek(Token![self])
            || input.peek(Token![super])
        {
            let path: Path = input.call(Path::parse_mod_style)?;
            if let Some(ident) = path.get_ident() {
                if ident == "end" {
                    return Ok(Node::End(ident.span()));
                }
                if ident.to_string().starts_with(|c: char| c.is_uppercase()) {
                    return Ok(Node::Ref(StateName {
                        value: ident.to_string(),
                        span: ident.span(),
                    }));
                }
            }
            let fields = optional_fields(input)?;
            return Ok(Node::Step { path, fields });
        }
        Err(input.error(
            "expected a step (`my_step`), a state (`Done`), a declaration (`Done: Succeed`) or `end`",
        ))
    }
}

impl Parse for Decl {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let name = if input.peek(LitStr) {
            let lit: LitStr = input.parse()?;
            StateName {
                value: lit.value(),
                span: lit.span(),
            }
        } else {
            let ident: Ident = input.parse()?;
            StateName {
                value: ident.to_string(),
                span: ident.span(),
            }
        };
        input.parse::<Token![:]>()?;
        let kind: Ident = input.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                format!(
                    "expected the state's type after `{}:`, one of {}",
                    name.value,
                    super::lower::STATE_TYPES
                ),
            )
        })?;
        let arg = if input.peek(syn::token::Paren) {
            let content;
            let parens = parenthesized!(content in input);
            let target = if content.peek(LitStr) {
                TaskTarget::Resource(content.parse()?)
            } else if content.is_empty() {
                return Err(syn::Error::new(
                    parens.span.join(),
                    "name the step to run, as in `Task(my_step)`",
                ));
            } else {
                TaskTarget::Step(content.call(Path::parse_mod_style)?)
            };
            if !content.is_empty() {
                return Err(content.error("a Task runs one step or resource: remove this"));
            }
            Some(target)
        } else {
            None
        };
        let fields = optional_fields(input)?;
        Ok(Decl {
            name,
            kind,
            arg,
            fields,
        })
    }
}

impl WorkflowInput {
    /// Every step path the workflow names, nested scopes included, first occurrence first, each once.
    pub fn step_paths(&self) -> Vec<&Path> {
        let mut paths: Vec<&Path> = Vec::new();
        collect_paths(&self.chains, &mut paths);
        paths
    }
}

fn collect_paths<'a>(chains: &'a [Chain], paths: &mut Vec<&'a Path>) {
    for node in chains.iter().flat_map(|c| &c.nodes) {
        let (path, fields) = match node {
            Node::Step { path, fields } => (Some(path), fields.as_ref()),
            Node::Decl(Decl { arg, fields, .. }) => match arg {
                Some(TaskTarget::Step(path)) => (Some(path), fields.as_ref()),
                _ => (None, fields.as_ref()),
            },
            _ => (None, None),
        };
        if let Some(path) = path {
            if !paths.iter().any(|p| path_key(p) == path_key(path)) {
                paths.push(path);
            }
        }
        for value in fields
            .into_iter()
            .flat_map(|f| &f.entries)
            .map(|f| &f.value)
        {
            collect_nested(value, paths);
        }
    }
}

fn collect_nested<'a>(value: &'a Value, paths: &mut Vec<&'a Path>) {
    match value {
        Value::Workflow(sub, _) => collect_paths(&sub.chains, paths),
        Value::Array(items, _) => items.iter().for_each(|v| collect_nested(v, paths)),
        Value::Object(fields, _) => fields
            .entries
            .iter()
            .for_each(|f| collect_nested(&f.value, paths)),
        _ => {}
    }
}

/// `{ Field: value, ... }` if the input continues with braces.
fn optional_fields(input: ParseStream) -> syn::Result<Option<Fields>> {
    if !input.peek(syn::token::Brace) {
        return Ok(None);
    }
    let content;
    braced!(content in input);
    content.parse().map(Some)
}

/// A path as text, to tell paths apart.
pub fn path_key(path: &Path) -> String {
    quote::quote!(#path).to_string()
}
