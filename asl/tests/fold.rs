//! One problem per mistake: the validator marks knock-on problems with their cause and `fold` keeps the causes,
//! in document order. Each case breaks a valid machine in one place.

use proptest::prelude::*;
use serde_json::{json, Value};
use stepfn_asl::{fold, validate_document, Problem, Rule};

fn folded(document: &Value) -> Vec<(Rule, String)> {
    fold(document, validate_document(document))
        .into_iter()
        .map(|p| (p.rule, p.pointer))
        .collect()
}

fn expected(problems: &[(Rule, &str)]) -> Vec<(Rule, String)> {
    problems
        .iter()
        .map(|&(rule, pointer)| (rule, pointer.to_owned()))
        .collect()
}

fn one(rule: Rule, pointer: &str) -> Vec<(Rule, String)> {
    expected(&[(rule, pointer)])
}

/// A chain `A -> B -> ... -> Done` of Pass states, with `A`'s `Next` set to `first`.
fn chain(first: &str) -> Value {
    json!({ "StartAt": "A", "States": {
        "A": { "Type": "Pass", "Next": first },
        "B": { "Type": "Pass", "Next": "C" },
        "C": { "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "D",
               "Catch": [{ "ErrorEquals": ["States.ALL"], "Next": "Failed" }] },
        "Failed": { "Type": "Fail" },
        "D": { "Type": "Pass", "Next": "Done" },
        "Done": { "Type": "Succeed" } } })
}

#[test]
fn a_misspelt_next_is_the_one_problem_not_the_states_after_it() {
    assert!(validate_document(&chain("B")).is_empty());
    let typo = chain("Bb");
    assert_eq!(
        validate_document(&typo).len(),
        6,
        "every knock-on problem is still listed"
    );
    assert_eq!(folded(&typo), one(Rule::UnknownState, "/States/A/Next"));
}

/// A retry loop `Check -> Route -(not ready)-> Pause -> Check`, leaving by `Route`'s `Default` to `Ship`.
fn retry(default: &str) -> Value {
    json!({ "StartAt": "Check", "States": {
        "Check": { "Type": "Pass", "Next": "Route" },
        "Route": { "Type": "Choice", "Choices": [{ "Variable": "$.ready", "BooleanEquals": false, "Next": "Pause" }],
                   "Default": default },
        "Pause": { "Type": "Wait", "Seconds": 1, "Next": "Check" },
        "Ship": { "Type": "Pass", "Next": "Done" },
        "Done": { "Type": "Succeed" } } })
}

#[test]
fn a_default_sent_back_into_its_loop_is_reported_there_once() {
    assert!(validate_document(&retry("Ship")).is_empty());
    for default in ["Pause", "Check", "Route"] {
        let document = retry(default);
        assert_eq!(
            folded(&document),
            one(Rule::LoopWithoutExit, "/States/Route/Default"),
            "Default: {default}"
        );
        let problem = &fold(&document, validate_document(&document))[0];
        assert!(
            problem.message.contains("such as `Ship`"),
            "{}",
            problem.message
        );
    }
}

#[test]
fn a_plain_cycle_is_reported_at_its_back_edge() {
    let document = json!({ "StartAt": "A", "States": {
        "A": { "Type": "Pass", "Next": "B" },
        "B": { "Type": "Pass", "Next": "C" },
        "C": { "Type": "Pass", "Next": "B" } } });
    let problems = fold(&document, validate_document(&document));
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0].pointer, "/States/C/Next");
    assert!(
        problems[0].message.contains("`C` → `B` → `C`"),
        "{}",
        problems[0].message
    );
}

#[test]
fn a_state_with_no_way_on_is_the_one_problem() {
    let mut document = chain("B");
    document["States"]["B"]
        .as_object_mut()
        .unwrap()
        .remove("Next");
    assert_eq!(folded(&document), one(Rule::NoTransition, "/States/B"));
    document["States"]["B"]["Type"] = json!("Pas");
    document["States"]["B"]["Next"] = json!("C");
    assert_eq!(folded(&document), one(Rule::FieldValue, "/States/B/Type"));
}

#[test]
fn unused_states_are_reported_once_per_group_while_the_rest_is_sound() {
    let document = json!({ "StartAt": "A", "States": {
        "A": { "Type": "Succeed" },
        "Ping": { "Type": "Pass", "Next": "Pong" },
        "Pong": { "Type": "Pass", "Next": "Ping" },
        "Lone": { "Type": "Pass", "Next": "After" },
        "After": { "Type": "Succeed" } } });
    let groups = [
        (Rule::Unreachable, "/States/Ping"),
        (Rule::Unreachable, "/States/Lone"),
    ];
    assert_eq!(folded(&document), expected(&groups));
}

#[test]
fn an_unused_loop_is_not_taken_for_the_missing_way_on() {
    let mut document = chain("Bb");
    document["States"]["Ping"] = json!({ "Type": "Pass", "Next": "Ping" });
    let both = [
        (Rule::UnknownState, "/States/A/Next"),
        (Rule::Unreachable, "/States/Ping"),
    ];
    assert_eq!(folded(&document), expected(&both));
}

#[test]
fn branches_fold_within_their_own_scope() {
    let document = json!({ "StartAt": "P", "States": {
        "P": { "Type": "Parallel", "End": true, "Branches": [retry("Pause")] } } });
    assert_eq!(
        folded(&document),
        one(
            Rule::LoopWithoutExit,
            "/States/P/Branches/0/States/Route/Default"
        )
    );
}

/// A random machine: each state a Pass with a `Next` (maybe to no state), an `End` or nothing, or a Choice.
fn machine() -> impl Strategy<Value = Value> {
    let transition = prop_oneof![
        (0..7usize).prop_map(|t| json!({ "Type": "Pass", "Next": format!("S{t}") })),
        Just(json!({ "Type": "Pass", "End": true })),
        Just(json!({ "Type": "Pass" })),
        (0..7usize, 0..7usize).prop_map(|(a, b)| json!({ "Type": "Choice",
            "Choices": [{ "Variable": "$.x", "IsPresent": true, "Next": format!("S{a}") }],
            "Default": format!("S{b}") })),
    ];
    (prop::collection::vec(transition, 1..7), 0..7usize).prop_map(|(states, start)| {
        let states: serde_json::Map<String, Value> = states
            .into_iter()
            .enumerate()
            .map(|(i, s)| (format!("S{i}"), s))
            .collect();
        json!({ "StartAt": format!("S{start}"), "States": states })
    })
}

/// Whether `problem` is kept, or follows, cause after cause, from one that is.
fn explained(problem: &Problem, all: &[Problem], kept: &[Problem], depth: usize) -> bool {
    kept.contains(problem)
        || depth > 0
            && problem.cause.as_deref().is_some_and(|cause| {
                all.iter().any(|other| {
                    other.pointer == cause
                        && other != problem
                        && explained(other, all, kept, depth - 1)
                })
            })
}

proptest! {
    #[test]
    fn every_problem_is_kept_or_follows_from_one_kept(document in machine()) {
        let all = validate_document(&document);
        let kept = fold(&document, all.clone());
        prop_assert_eq!(all.is_empty(), kept.is_empty());
        for problem in &all {
            prop_assert!(explained(problem, &all, &kept, all.len()), "{:#?} from {:#?}", problem, all);
        }
    }
}

#[test]
fn thousands_of_loops_and_unused_states_fold_in_one_pass() {
    const LOOPS: usize = 4000;
    let mut states = serde_json::Map::new();
    let rules: Vec<Value> = (0..LOOPS)
        .map(|i| json!({ "Variable": "$.n", "NumericEquals": i, "Next": format!("A{i}") }))
        .collect();
    states.insert(
        "Start".into(),
        json!({ "Type": "Choice", "Choices": rules }),
    );
    for i in 0..LOOPS {
        states.insert(
            format!("A{i}"),
            json!({ "Type": "Pass", "Next": format!("B{i}") }),
        );
        states.insert(
            format!("B{i}"),
            json!({ "Type": "Pass", "Next": format!("A{i}") }),
        );
        states.insert(format!("Unused{i}"), json!({ "Type": "Succeed" }));
    }
    let document = json!({ "StartAt": "Start", "States": states });
    let started = std::time::Instant::now();
    let problems = fold(&document, validate_document(&document));
    assert_eq!(problems.len(), LOOPS, "one per loop, at its back edge");
    assert!(problems
        .iter()
        .all(|p| p.rule == Rule::LoopWithoutExit && p.pointer.starts_with("/States/B")));
    eprintln!("{} states folded in {:?}", 3 * LOOPS + 1, started.elapsed());
}
