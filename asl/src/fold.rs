//! One problem per mistake: knock-on problems folded into their cause, the rest in document order.
//!
//! One wrong transition breaks a whole graph: a `Next` naming no state leaves every state after it unable to run;
//! a `Default` sent back into a loop leaves the loop's states unable to finish and the states it used to lead to
//! unable to run. The validator reports each of them, since each is true, but marks the knock-on ones with the
//! pointer of the problem they follow from ([`Problem::cause`]). [`fold`] keeps the causes, so `stepfn validate`
//! and `workflow!` report the mistake once, where it was made.
//!
//! What the validator takes to be the cause, per scope (the machine, a Parallel branch, a Map's item processor):
//!
//! - **A loop with no way out** is reported once ([`Rule::LoopWithoutExit`]), at the transition that closes it.
//!   A way out of a loop is a decision, so a loop is closed by a state that decides: when the loop has states
//!   with more than one transition (a Choice's rules and `Default`, a `Catch` beside `Next`), all of which stay in
//!   the loop, it is the last of those transitions in document order (a `Default` that now goes where a rule
//!   already goes, say); when no state of the loop decides, it is a plain cycle, closed by the transition that
//!   goes back to a state already on the path of the depth-first walk from `StartAt` (its back edge). States that
//!   never finish because every path from them runs into the loop follow from it.
//! - **A broken way on**: a `Next`, rule or `Default` naming no state, a loop with no way out, or a state whose
//!   transitions cannot be read (no `Next` nor `End`, an unknown `Type`). While the states that run have one,
//!   states that cannot run but would finish are taken to be where the broken transition should lead, and
//!   follow from the first of them in document order. They are reported once the graph that runs is mended.
//! - **States that cannot run** are reported once per group: at the first state, in document order, of each
//!   group that nothing moves to (one state, or states moving only among themselves). The states after it follow
//!   from it, and so does its never finishing.

use crate::problem::Problem;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// `problems` without those whose cause is among them, in document order of their pointers (problems at one
/// place keep their order). A problem whose cause is not in the list, because the caller reported it its own
/// way, is kept.
pub fn fold(document: &Value, problems: Vec<Problem>) -> Vec<Problem> {
    let mut at: HashMap<&str, usize> = HashMap::new();
    for problem in &problems {
        *at.entry(problem.pointer.as_str()).or_default() += 1;
    }
    let folded: Vec<bool> = problems
        .iter()
        .map(|problem| {
            problem.cause.as_deref().is_some_and(|cause| {
                let others = at.get(cause).copied().unwrap_or(0);
                // A cause at the problem's own pointer must be another problem there.
                others > usize::from(cause == problem.pointer)
            })
        })
        .collect();
    let mut kept: Vec<Problem> = problems
        .into_iter()
        .zip(folded)
        .filter_map(|(problem, folded)| (!folded).then_some(problem))
        .collect();
    let mut keys = KeyIndex::default();
    kept.sort_by_cached_key(|problem| keys.position(document, &problem.pointer));
    kept
}

/// The index of each key of the objects seen, built once per object: sorting many problems of one large object
/// (thousands of states) stays linear.
#[derive(Default)]
struct KeyIndex<'d> {
    objects: HashMap<*const Map<String, Value>, HashMap<&'d str, usize>>,
}

impl<'d> KeyIndex<'d> {
    /// [`document_position`], with the keys of each object looked up in its index.
    fn position(&mut self, document: &'d Value, pointer: &str) -> Vec<usize> {
        walk(document, pointer, |object, key| {
            let index = self.objects.entry(object as *const _).or_insert_with(|| {
                object
                    .keys()
                    .enumerate()
                    .map(|(i, k)| (k.as_str(), i))
                    .collect()
            });
            index.get(key).copied()
        })
    }
}

/// Where `pointer` is in `document`, as the index of each key or item along it: sorting by it is document order,
/// an object before its fields. A segment that is not there sorts after everything that is.
pub(crate) fn document_position(document: &Value, pointer: &str) -> Vec<usize> {
    walk(document, pointer, |object, key| {
        object.keys().position(|k| k == key)
    })
}

/// The position of `pointer` in `document`, with `key_index` giving the index of a key in an object.
fn walk<'d>(
    document: &'d Value,
    pointer: &str,
    mut key_index: impl FnMut(&'d Map<String, Value>, &str) -> Option<usize>,
) -> Vec<usize> {
    let mut position = Vec::new();
    let mut value = Some(document);
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        let (index, inner) = match value {
            Some(Value::Object(object)) => (key_index(object, &segment), object.get(&segment)),
            Some(Value::Array(items)) => {
                let index = segment.parse().ok().filter(|&i| i < items.len());
                (index, index.and_then(|i| items.get(i)))
            }
            _ => (None, None),
        };
        value = inner;
        position.push(index.unwrap_or(usize::MAX));
        if index.is_none() {
            break;
        }
    }
    position
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::Rule;
    use serde_json::json;

    fn problem(pointer: &str, cause: Option<&str>) -> Problem {
        Problem {
            cause: cause.map(str::to_owned),
            ..Problem::new(Rule::Unreachable, pointer, pointer)
        }
    }

    #[test]
    fn keeps_causes_and_problems_whose_cause_is_gone() {
        let document = json!({ "StartAt": "A", "States": { "A": {}, "B": {}, "C": {} } });
        let folded = fold(
            &document,
            vec![
                problem("/States/C", Some("/States/B")),
                problem("/States/B", Some("/States/A/Next")),
                problem("/States/A/Next", None),
                problem("/States/A", Some("/States/Z")),
            ],
        );
        let pointers: Vec<&str> = folded.iter().map(|p| p.pointer.as_str()).collect();
        assert_eq!(pointers, ["/States/A", "/States/A/Next"]);
    }

    #[test]
    fn a_cause_at_the_same_pointer_must_be_another_problem() {
        let document = json!({ "States": { "A": {} } });
        let alone = fold(&document, vec![problem("/States/A", Some("/States/A"))]);
        assert_eq!(alone.len(), 1);
        let with_cause = fold(
            &document,
            vec![
                problem("/States/A", None),
                problem("/States/A", Some("/States/A")),
            ],
        );
        assert_eq!(with_cause, vec![problem("/States/A", None)]);
    }

    #[test]
    fn sorts_in_document_order_not_by_name() {
        let document =
            json!({ "States": { "Z": { "Next": "A" }, "A": { "Type": "Pass" } }, "StartAt": "Z" });
        let folded = fold(
            &document,
            vec![
                problem("/StartAt", None),
                problem("/States/A/Type", None),
                problem("/States/Z/Missing", None),
                problem("/States/Z", None),
                problem("/States/Z/Next", None),
                problem("", None),
            ],
        );
        let pointers: Vec<&str> = folded.iter().map(|p| p.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "",
                "/States/Z",
                "/States/Z/Next",
                "/States/Z/Missing",
                "/States/A/Type",
                "/StartAt"
            ]
        );
    }

    #[test]
    fn positions_unescape_segments_and_index_arrays() {
        let document = json!({ "a/b": [0, { "~x": 1 }] });
        assert_eq!(document_position(&document, "/a~1b/1/~0x"), [0, 1, 0]);
        assert_eq!(document_position(&document, "/a~1b/7"), [0, usize::MAX]);
        assert_eq!(document_position(&document, "/a~1b/x/y"), [0, usize::MAX]);
    }
}
