//! The graph of one scope: which states can run, which can finish, and for each that cannot, the problem it
//! follows from (the rules are written out in [`crate::fold`]). Every walk is iterative and visits each state and
//! transition a bounded number of times, so any document is checked in time linear in its size.

use super::fields::escape;
use crate::fold::document_position;
use crate::problem::{Problem, Rule};
use serde_json::Value;
use std::collections::{HashMap, VecDeque};

/// Longest cycle spelt out in a message, in states.
const MAX_CYCLE_NAMES: usize = 8;

/// One scope's states, in document order, and their transitions.
pub(crate) struct Graph<'a> {
    /// The scope's pointer (`""` for the machine).
    pub at: &'a str,
    pub names: Vec<&'a str>,
    pub states: Vec<&'a Value>,
    /// Each state's transitions to states of the scope: the transition's pointer and the target's index.
    pub edges: Vec<Vec<(String, usize)>>,
    /// Whether the state ends the scope by itself (or has a transition to an unknown name: reported already).
    pub exits: Vec<bool>,
    /// Pointers of problems that break the state's way on: its unknown targets, or the problem that kept its
    /// transitions from being read.
    pub broken: Vec<Vec<String>>,
    pub start: Option<usize>,
}

/// A loop without a way out: the state whose transition closes it, and its problem.
struct Loop {
    state: usize,
    problem: Problem,
}

impl Graph<'_> {
    /// The scope's reachability problems, each knock-on one with its cause.
    pub(crate) fn problems(&self) -> Vec<Problem> {
        let n = self.names.len();
        let runs = match self.start {
            Some(start) => self.walk(&[start], false),
            // Without a start, StartAt's problem is the one to fix: judge the loops as if every state ran.
            None => vec![true; n],
        };
        let exits: Vec<usize> = (0..n).filter(|&i| self.exits[i]).collect();
        let finishes = self.walk(&exits, true);
        let trapped: Vec<bool> = (0..n).map(|i| runs[i] && !finishes[i]).collect();

        let loops = self.loops(&trapped, &finishes, &runs);
        let mut problems: Vec<Problem> = loops.iter().map(|l| l.problem.clone()).collect();
        // Each trapped state runs into a loop: the loop is its cause.
        let closing: Vec<(usize, Option<usize>)> = loops
            .iter()
            .enumerate()
            .map(|(l, lp)| (lp.state, Some(l)))
            .collect();
        let into_loop = self.label(&trapped, &closing, true);
        for i in (0..n).filter(|&i| trapped[i]) {
            let cause = into_loop[i].and_then(|l| loops.get(l));
            problems.push(self.never_finishes(i, cause.map(|l| l.problem.pointer.clone())));
        }
        if self.start.is_some() {
            let mut closes: Vec<Option<&str>> = vec![None; n];
            for l in &loops {
                closes[l.state] = Some(&l.problem.pointer);
            }
            let first_break = (0..n).filter(|&i| runs[i]).find_map(|i| {
                let broken = self.broken[i].first().map(String::as_str);
                broken.or(closes[i]).map(str::to_owned)
            });
            self.orphans(&runs, &finishes, first_break, &mut problems);
        }
        problems
    }

    fn pointer(&self, i: usize) -> String {
        format!("{}/States/{}", self.at, escape(self.names[i]))
    }

    /// States reached from `from` (against the transitions when `backwards`).
    fn walk(&self, from: &[usize], backwards: bool) -> Vec<bool> {
        let sources: Vec<(usize, Option<usize>)> = from.iter().map(|&i| (i, Some(i))).collect();
        let labels = self.label(&vec![true; self.names.len()], &sources, backwards);
        labels.iter().map(Option::is_some).collect()
    }

    /// A breadth-first walk inside `within` from each `(state, label)` in turn: each state reached gets the label
    /// of the first source that reaches it.
    fn label(
        &self,
        within: &[bool],
        sources: &[(usize, Option<usize>)],
        backwards: bool,
    ) -> Vec<Option<usize>> {
        let n = self.names.len();
        let mut next: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (i, edges) in self.edges.iter().enumerate() {
            for &(_, j) in edges {
                if backwards {
                    next[j].push(i);
                } else {
                    next[i].push(j);
                }
            }
        }
        let mut labels: Vec<Option<usize>> = vec![None; n];
        let mut queue = VecDeque::new();
        for &(state, label) in sources {
            if within[state] && labels[state].is_none() && label.is_some() {
                labels[state] = label;
                queue.push_back(state);
            }
        }
        while let Some(i) = queue.pop_front() {
            for &j in &next[i] {
                if within[j] && labels[j].is_none() {
                    labels[j] = labels[i];
                    queue.push_back(j);
                }
            }
        }
        labels
    }

    /// The loops without a way out: the closed groups of trapped states, each reported at the transition that
    /// closes it.
    fn loops(&self, trapped: &[bool], finishes: &[bool], runs: &[bool]) -> Vec<Loop> {
        let groups = strongly_connected(&self.edges, trapped);
        let roots: Vec<usize> = match self.start {
            Some(start) => vec![start],
            None => (0..self.names.len()).collect(),
        };
        let back_edges = back_edges(&self.edges, &roots, &groups.of);
        let suggestion = (0..self.names.len())
            .find(|&i| !runs[i] && finishes[i])
            .map(|i| format!(", such as `{}`, which no state moves to", self.names[i]))
            .unwrap_or_default();
        let mut loops = Vec::new();
        for (group, members) in groups.members.iter().enumerate() {
            let closed = members.iter().all(|&i| {
                self.edges[i]
                    .iter()
                    .all(|&(_, j)| groups.of[j] == Some(group))
            });
            let closing = self
                .deciding_edge(members)
                .or(back_edges.get(&group).copied());
            let Some((from, edge)) = closing.filter(|_| closed) else {
                continue;
            };
            let (pointer, to) = &self.edges[from][edge];
            let field = pointer.rsplit('/').next().unwrap_or("Next");
            let cycle = self.cycle(from, *to, &groups.of);
            let message = format!("this `{field}` closes a loop with no way out: {cycle} never reaches a Succeed, a Fail or an `End`; point it at a state that leads to an end{suggestion}");
            loops.push(Loop {
                state: from,
                problem: Problem::new(Rule::LoopWithoutExit, pointer.clone(), message),
            });
        }
        loops
    }

    /// The transition that closes a loop when a state of it decides (see [`crate::fold`]): the last transition,
    /// in document order, of the loop's states with several.
    fn deciding_edge(&self, members: &[usize]) -> Option<(usize, usize)> {
        members
            .iter()
            .filter(|&&i| self.edges[i].len() > 1)
            .flat_map(|&i| (0..self.edges[i].len()).map(move |e| (i, e)))
            .max_by_key(|&(i, e)| (i, document_position(self.states[i], &self.relative(i, e))))
    }

    /// The pointer of transition `e` of state `i`, relative to the state.
    fn relative(&self, i: usize, e: usize) -> String {
        let pointer = &self.edges[i][e].0;
        pointer
            .strip_prefix(&self.pointer(i))
            .unwrap_or(pointer)
            .to_owned()
    }

    /// `` `A` → `B` → … → `A` ``: the shortest way round the loop through the transition `from` → `to`, searched
    /// inside the loop only.
    fn cycle(&self, from: usize, to: usize, group_of: &[Option<usize>]) -> String {
        let group = group_of[from];
        let mut previous: HashMap<usize, usize> = HashMap::new();
        let mut queue = VecDeque::from([to]);
        while let Some(i) = queue.pop_front() {
            if i == from {
                break;
            }
            for &(_, j) in &self.edges[i] {
                if group_of[j] == group && j != to && !previous.contains_key(&j) {
                    previous.insert(j, i);
                    queue.push_back(j);
                }
            }
        }
        let mut path = vec![from];
        let mut at = from;
        while let Some(&before) = previous.get(&at).filter(|_| at != to) {
            path.push(before);
            at = before;
        }
        path.push(from);
        path.reverse();
        let names: Vec<String> = path
            .iter()
            .map(|&i| format!("`{}`", self.names[i]))
            .collect();
        if names.len() > MAX_CYCLE_NAMES {
            let tail = names.last().cloned().unwrap_or_default();
            format!("{} → … → {tail}", names[..MAX_CYCLE_NAMES - 1].join(" → "))
        } else {
            names.join(" → ")
        }
    }

    fn never_finishes(&self, i: usize, cause: Option<String>) -> Problem {
        let name = self.names[i];
        Problem {
            cause,
            ..Problem::new(
                Rule::NeverFinishes,
                self.pointer(i),
                format!("state `{name}` never reaches an end: every path from it loops without a Succeed, a Fail or an `End`; give the loop a way out"),
            )
        }
    }

    /// States that cannot run: reported at the first state of each group nothing moves to, the others following
    /// from it; a group that would finish follows from `first_break`, the first broken way on of the states that run.
    fn orphans(
        &self,
        runs: &[bool],
        finishes: &[bool],
        first_break: Option<String>,
        problems: &mut Vec<Problem>,
    ) {
        let n = self.names.len();
        let orphan: Vec<bool> = runs.iter().map(|r| !r).collect();
        let groups = strongly_connected(&self.edges, &orphan);
        let mut entered = vec![false; groups.members.len()];
        for (i, edges) in self.edges.iter().enumerate() {
            for &(_, j) in edges {
                if let (Some(a), Some(b)) = (groups.of[i], groups.of[j]) {
                    entered[b] |= a != b;
                }
            }
        }
        // The first state of each group nothing moves to, in document order.
        let mut heads: Vec<Option<usize>> = vec![None; groups.members.len()];
        for i in 0..n {
            if let Some(g) = groups.of[i].filter(|&g| !entered[g]) {
                heads[g].get_or_insert(i);
            }
        }
        let sources: Vec<(usize, Option<usize>)> =
            heads.iter().flatten().map(|&h| (h, Some(h))).collect();
        let head_of = self.label(&orphan, &sources, false);
        for i in (0..n).filter(|&i| orphan[i]) {
            let name = self.names[i];
            let head = head_of[i];
            let problem = if head != Some(i) {
                Problem {
                    cause: head.map(|h| self.pointer(h)),
                    ..Problem::new(
                        Rule::Unreachable,
                        self.pointer(i),
                        format!(
                            "state `{name}` can never run: only states that cannot run move to it"
                        ),
                    )
                }
            } else {
                let members = groups.of[i].and_then(|g| groups.members.get(g));
                let others: Vec<String> = members
                    .into_iter()
                    .flatten()
                    .filter(|&&j| j != i)
                    .map(|&j| format!("`{}`", self.names[j]))
                    .collect();
                let message = if others.is_empty() {
                    format!("state `{name}` can never run: no state moves to it and it is not `StartAt`; name it in the `Next` of a state that runs, or remove it")
                } else {
                    format!("state `{name}` can never run: only the states of its loop ({}) move to it; name `{name}` in the `Next` of a state that runs, or remove the loop", others.join(", "))
                };
                Problem {
                    cause: first_break.clone().filter(|_| finishes[i]),
                    ..Problem::new(Rule::Unreachable, self.pointer(i), message)
                }
            };
            problems.push(problem);
            if !finishes[i] {
                // A state that cannot run need not finish: its never finishing follows from that.
                problems.push(self.never_finishes(i, Some(self.pointer(i))));
            }
        }
    }
}

/// The strongly connected groups of the states in `within` (Tarjan's algorithm, iteratively).
struct Groups {
    /// Each state's group.
    of: Vec<Option<usize>>,
    /// Each group's states, in document order.
    members: Vec<Vec<usize>>,
}

fn strongly_connected(edges: &[Vec<(String, usize)>], within: &[bool]) -> Groups {
    let n = edges.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut groups = Groups {
        of: vec![None; n],
        members: Vec::new(),
    };
    let mut counter = 0;
    for root in (0..n).filter(|&i| within[i]) {
        if index[root] != usize::MAX {
            continue;
        }
        // (state, next transition to look at)
        let mut walk = vec![(root, 0)];
        index[root] = counter;
        low[root] = counter;
        counter += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (i, ref mut e)) = walk.last_mut() {
            if let Some(&(_, j)) = edges[i].get(*e) {
                *e += 1;
                if !within[j] {
                    continue;
                }
                if index[j] == usize::MAX {
                    index[j] = counter;
                    low[j] = counter;
                    counter += 1;
                    stack.push(j);
                    on_stack[j] = true;
                    walk.push((j, 0));
                } else if on_stack[j] {
                    low[i] = low[i].min(index[j]);
                }
                continue;
            }
            walk.pop();
            if let Some(&(parent, _)) = walk.last() {
                low[parent] = low[parent].min(low[i]);
            }
            if low[i] == index[i] {
                let mut members = Vec::new();
                while let Some(j) = stack.pop() {
                    on_stack[j] = false;
                    groups.of[j] = Some(groups.members.len());
                    members.push(j);
                    if j == i {
                        break;
                    }
                }
                members.sort_unstable();
                groups.members.push(members);
            }
        }
    }
    groups
}

/// For each group, the first transition of the depth-first walk from `roots` (transitions in order) that goes
/// back to a state on the walk's path inside the same group: (state, transition index).
fn back_edges(
    edges: &[Vec<(String, usize)>],
    roots: &[usize],
    group_of: &[Option<usize>],
) -> HashMap<usize, (usize, usize)> {
    let n = edges.len();
    let mut found = HashMap::new();
    let mut visited = vec![false; n];
    let mut on_path = vec![false; n];
    for &root in roots {
        if visited[root] {
            continue;
        }
        visited[root] = true;
        on_path[root] = true;
        let mut walk = vec![(root, 0)];
        while let Some(&mut (i, ref mut e)) = walk.last_mut() {
            let Some(&(_, j)) = edges[i].get(*e) else {
                on_path[i] = false;
                walk.pop();
                continue;
            };
            let edge = *e;
            *e += 1;
            if let Some(group) = group_of[i].filter(|&g| on_path[j] && group_of[j] == Some(g)) {
                found.entry(group).or_insert((i, edge));
            }
            if !visited[j] {
                visited[j] = true;
                on_path[j] = true;
                walk.push((j, 0));
            }
        }
    }
    found
}
