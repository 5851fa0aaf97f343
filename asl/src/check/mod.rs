//! Validation of any ASL document, as JSON. Each rule reports a [`Problem`] with the JSON pointer of the value to
//! change. The rules are at least those of AWS's statelint, the asl-validator package and AWS CDK's synth checks,
//! plus graph rules none of them has (islands, loops without a way out).

mod choice;
mod errors;
pub(crate) mod fields;
mod payload;
mod reach;
mod resource;
mod scope;
mod states;
mod variables;

use crate::problem::{Problem, Rule};
use serde_json::Value;
use std::collections::BTreeMap;

pub use fields::QueryLanguage;

/// Collects problems while walking a document.
pub(crate) struct Checker {
    problems: Vec<Problem>,
    /// Every state name with the pointer of its first declaration: names are unique across the whole machine.
    names: BTreeMap<String, String>,
    /// The machine's top-level `QueryLanguage` is JSONata: no state inside may use JSONPath.
    jsonata_machine: bool,
}

impl Checker {
    pub(crate) fn report(&mut self, rule: Rule, pointer: String, message: String) {
        self.problems.push(Problem {
            rule,
            pointer,
            message,
            cause: None,
        });
    }
}

/// Every problem of the document, in document order; empty when AWS would accept it.
pub fn validate_document(document: &Value) -> Vec<Problem> {
    let mut checker = Checker {
        problems: Vec::new(),
        names: BTreeMap::new(),
        jsonata_machine: false,
    };
    checker.machine(document);
    checker.problems
}

/// Problems AWS accepts at creation but that fail the execution at run time: a variable read where some path has
/// not assigned it, or an inner scope assigning an enclosing scope's variable. `workflow!` rejects them at compile
/// time; `stepfn validate` reports them as warnings.
pub fn lint_document(document: &Value) -> Vec<Problem> {
    let mut checker = Checker {
        problems: Vec::new(),
        names: BTreeMap::new(),
        jsonata_machine: false,
    };
    if let Some(machine) = document.as_object() {
        checker.variables(machine);
    }
    checker.problems
}
