//! `workflow!`, in two stages. A proc macro cannot see other items, yet a Task state is named by its step's
//! `#[step(name = ...)]`. So `start` parses the input, then calls the resolver macro that `#[step]` put beside each
//! step; each resolver appends what it knows and calls the next, and the last calls `workflow_continue!`, whose
//! `resume` lowers, validates and expands with every step's name known. Tokens pass through unchanged, so every
//! error still points at what the user wrote.

mod artifact;
mod ast;
mod dataflow;
mod expand;
mod lower;
mod template_feeds;
mod value;

use ast::WorkflowInput;
use lower::StepInfo;
use proc_macro2::{Delimiter, TokenStream, TokenTree};
use quote::quote;
use syn::parse::{ParseStream, Parser};
use syn::{LitStr, Path};

/// Stage one: check the syntax, then start resolving the steps.
pub fn start(input: TokenStream) -> syn::Result<TokenStream> {
    let parsed: WorkflowInput = syn::parse2(input.clone())?;
    let paths: Vec<&Path> = parsed.step_paths();
    if paths.is_empty() {
        return expand::expand(&parsed, &[]);
    }
    Ok(next_call(&[], &paths, &input))
}

/// Stage two, after each resolver has appended its step's names.
pub fn resume(input: TokenStream) -> syn::Result<TokenStream> {
    let (resolved, pending, original) = split_resume(input)?;
    let parsed: WorkflowInput = syn::parse2(original.clone())?;
    let paths = parsed.step_paths();
    if !pending.is_empty() {
        let pending: Vec<&Path> = paths[resolved.len()..].to_vec();
        return Ok(next_call(&resolved, &pending, &original));
    }
    let steps: Vec<(&Path, StepInfo)> = paths.into_iter().zip(resolved).collect();
    expand::expand(&parsed, &steps)
}

/// `first_pending! { @stepfn_resolve { resolved } [ (rest) ... ] original }`
fn next_call(resolved: &[StepInfo], pending: &[&Path], original: &TokenStream) -> TokenStream {
    let (first, rest) = pending.split_first().expect("called with a pending step");
    let resolved = resolved.iter().map(|info| {
        let (name, key, function, any) = (
            &info.state_name,
            &info.resource_key,
            &info.fn_name,
            info.takes_any_json,
        );
        quote!((#name #key #function #any))
    });
    quote! {
        #first! { @stepfn_resolve { #(#resolved)* } [ #((#rest))* ] #original }
    }
}

fn split_resume(input: TokenStream) -> syn::Result<(Vec<StepInfo>, Vec<TokenStream>, TokenStream)> {
    let parser = |stream: ParseStream| {
        let resolved_group;
        syn::braced!(resolved_group in stream);
        let mut resolved = Vec::new();
        while !resolved_group.is_empty() {
            let entry;
            syn::parenthesized!(entry in resolved_group);
            let state_name: LitStr = entry.parse()?;
            let resource_key: LitStr = entry.parse()?;
            let fn_name: LitStr = entry.parse()?;
            let takes_any_json: syn::LitBool = entry.parse()?;
            resolved.push(StepInfo {
                state_name: state_name.value(),
                resource_key: resource_key.value(),
                fn_name: fn_name.value(),
                takes_any_json: takes_any_json.value,
            });
        }
        let pending_group;
        syn::bracketed!(pending_group in stream);
        let pending_tokens: TokenStream = pending_group.parse()?;
        let pending = pending_tokens
            .into_iter()
            .filter_map(|tt| match tt {
                TokenTree::Group(g) if g.delimiter() == Delimiter::Parenthesis => Some(g.stream()),
                _ => None,
            })
            .collect();
        let original: TokenStream = stream.parse()?;
        Ok((resolved, pending, original))
    };
    parser.parse2(input)
}
