//! Field values in `workflow!`: JSON written in Rust tokens (`"text"`, `3`, `-1.5`, `true`, `null`, `[..]`,
//! `{ Key: value, "key.$": "$.path" }`), plus bare identifiers where a field names a state.

use proc_macro2::Span;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{braced, bracketed, Ident, Lit, LitStr, Token};

#[derive(Default)]
pub struct Fields {
    pub entries: Vec<Field>,
}

pub struct Field {
    pub key: String,
    pub key_span: Span,
    pub value: Value,
}

pub enum Value {
    Json(serde_json::Value, Span),
    /// A bare identifier: a state name where the field takes one.
    Ident(Ident),
    Array(Vec<Value>, Span),
    Object(Fields, Span),
    /// `{ Field: value, ...  chain; chain; }`: the states of a Parallel branch or a Map's item processor.
    Workflow(Box<SubWorkflow>, Span),
}

/// A nested scope of states, with the fields that go beside `StartAt` and `States` (such as `ProcessorConfig`).
pub struct SubWorkflow {
    pub fields: Fields,
    pub chains: Vec<super::ast::Chain>,
}

impl Value {
    pub fn span(&self) -> Span {
        match self {
            Value::Json(_, span)
            | Value::Array(_, span)
            | Value::Object(_, span)
            | Value::Workflow(_, span) => *span,
            Value::Ident(ident) => ident.span(),
        }
    }
}

impl Parse for Fields {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut entries: Vec<Field> = Vec::new();
        let parsed = Punctuated::<Field, Token![,]>::parse_terminated(input)?;
        for field in parsed {
            if entries.iter().any(|f| f.key == field.key) {
                return Err(syn::Error::new(
                    field.key_span,
                    format!("field `{}` is given twice: keep one", field.key),
                ));
            }
            entries.push(field);
        }
        Ok(Fields { entries })
    }
}

impl Parse for Field {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let (key, key_span) = if input.peek(LitStr) {
            let lit: LitStr = input.parse()?;
            (lit.value(), lit.span())
        } else {
            let ident: Ident = input.call(syn::ext::IdentExt::parse_any).map_err(|e| {
                syn::Error::new(e.span(), "expected a field name, as in `Comment: \"...\"`")
            })?;
            (ident.to_string(), ident.span())
        };
        input.parse::<Token![:]>()?;
        let value = input.parse()?;
        Ok(Field {
            key,
            key_span,
            value,
        })
    }
}

impl Parse for Value {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.peek(syn::token::Bracket) {
            let content;
            let brackets = bracketed!(content in input);
            let items = Punctuated::<Value, Token![,]>::parse_terminated(&content)?;
            return Ok(Value::Array(
                items.into_iter().collect(),
                brackets.span.join(),
            ));
        }
        if input.peek(syn::token::Brace) {
            let content;
            let braces = braced!(content in input);
            if holds_chains(&content) {
                return Ok(Value::Workflow(
                    Box::new(content.parse()?),
                    braces.span.join(),
                ));
            }
            return Ok(Value::Object(content.parse()?, braces.span.join()));
        }
        if input.peek(Token![-]) {
            let minus: Token![-] = input.parse()?;
            let lit: Lit = input.parse()?;
            let number = number(&lit)?;
            let negated = match number.as_i64() {
                Some(i) => serde_json::Value::from(-i),
                None => serde_json::Value::from(-number.as_f64().unwrap_or_default()),
            };
            return Ok(Value::Json(negated, minus.span));
        }
        if input.peek(Ident) && !input.peek(syn::LitBool) {
            let ident: Ident = input.parse()?;
            if ident == "null" {
                return Ok(Value::Json(serde_json::Value::Null, ident.span()));
            }
            if input.peek(Token![::]) {
                // `Next: steps::charge`: a path where ASL names a state.
                let mut last = ident.clone();
                while input.peek(Token![::]) {
                    input.parse::<Token![::]>()?;
                    last = input.parse()?;
                }
                let last = last.to_string();
                let state = heck::ToUpperCamelCase::to_upper_camel_case(last.as_str());
                return Err(syn::Error::new(
                    ident.span(),
                    format!(
                        "a state is named here, not a step: write the step's state name, `{state}` unless its \
                         `#[step(name = \"...\")]` gives another"
                    ),
                ));
            }
            return Ok(Value::Ident(ident));
        }
        let lit: Lit = input.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected a value: a string, number, bool, `null`, `[..]`, `{..}` or a state name",
            )
        })?;
        let span = lit.span();
        let json = match &lit {
            Lit::Str(s) => serde_json::Value::String(s.value()),
            Lit::Bool(b) => serde_json::Value::Bool(b.value),
            Lit::Int(_) | Lit::Float(_) => serde_json::Value::Number(number(&lit)?),
            other => {
                return Err(syn::Error::new(
                    other.span(),
                    "expected a JSON value: a string, number, bool or `null`",
                ))
            }
        };
        Ok(Value::Json(json, span))
    }
}

fn number(lit: &Lit) -> syn::Result<serde_json::Number> {
    let parsed = match lit {
        Lit::Int(int) if int.suffix().is_empty() => {
            int.base10_parse::<i64>().map(serde_json::Number::from).ok()
        }
        Lit::Float(float) if float.suffix().is_empty() => float
            .base10_parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64),
        _ => None,
    };
    parsed.ok_or_else(|| {
        syn::Error::new(
            lit.span(),
            "expected a JSON number without a type suffix, such as `30` or `1.5`",
        )
    })
}

/// Whether a brace group holds states (a top-level `;` or `->`) rather than an object's fields.
fn holds_chains(content: ParseStream) -> bool {
    let mut cursor = content.cursor();
    while let Some((tt, next)) = cursor.token_tree() {
        if let proc_macro2::TokenTree::Punct(punct) = &tt {
            let arrow = punct.as_char() == '-'
                && punct.spacing() == proc_macro2::Spacing::Joint
                && matches!(next.punct(), Some((p, _)) if p.as_char() == '>');
            if punct.as_char() == ';' || arrow {
                return true;
            }
        }
        cursor = next;
    }
    false
}

impl Parse for SubWorkflow {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut fields = Fields::default();
        let mut chains = Vec::new();
        while !input.is_empty() {
            // `Key: <literal, [..] or {..}>` is a field; `Name: Type` (an identifier after the colon) declares a state.
            let is_field = (input.peek(Ident) || input.peek(LitStr))
                && input.peek2(Token![:])
                && !input.peek2(Token![::])
                && {
                    let fork = input.fork();
                    let _ = fork.parse::<proc_macro2::TokenTree>();
                    let _ = fork.parse::<Token![:]>();
                    !fork.peek(Ident) || fork.peek(syn::LitBool)
                };
            if is_field {
                let field: Field = input.parse()?;
                if fields.entries.iter().any(|f| f.key == field.key) {
                    return Err(syn::Error::new(
                        field.key_span,
                        format!("field `{}` is given twice: keep one", field.key),
                    ));
                }
                fields.entries.push(field);
                if !input.is_empty() && input.parse::<Token![,]>().is_err() {
                    input.parse::<Token![;]>()?;
                }
            } else {
                chains.push(input.parse()?);
            }
        }
        if chains.is_empty() {
            return Err(
                input.error("a branch or item processor needs states, such as `my_step -> end;`")
            );
        }
        Ok(SubWorkflow { fields, chains })
    }
}
