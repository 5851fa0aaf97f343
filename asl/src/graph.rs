//! The transition graph of a state machine: which states the start reaches, and which states can reach an end.
//! Reachability from `StartAt` finds dead states; reverse reachability from terminal states finds states (and
//! cycles) from which the execution could never finish.

use crate::StateMachine;
use std::collections::{BTreeSet, VecDeque};

/// Successor lists by state index, for the states of one machine.
pub struct Graph<'a> {
    names: Vec<&'a str>,
    successors: Vec<Vec<usize>>,
    terminal: Vec<bool>,
}

impl<'a> Graph<'a> {
    /// Edges to unknown states are left out; [`crate::validate`] reports those separately.
    pub fn new(machine: &'a StateMachine) -> Self {
        let names: Vec<&str> = machine.states.keys().map(String::as_str).collect();
        let successors = machine
            .states
            .values()
            .map(|state| {
                state
                    .successors()
                    .into_iter()
                    .filter_map(|n| machine.states.get_index_of(n))
                    .collect()
            })
            .collect();
        // A state with no transition, or whose `Next` names no state, is reported as such; counting it as finishing
        // avoids a second, consequential problem for it and every state before it.
        let terminal = machine
            .states
            .values()
            .map(|s| {
                let no_transition = s
                    .transition()
                    .is_some_and(|t| t.next.is_none() && t.end != Some(true));
                s.is_terminal()
                    || no_transition
                    || s.successors()
                        .iter()
                        .any(|n| !machine.states.contains_key(*n))
            })
            .collect();
        Graph {
            names,
            successors,
            terminal,
        }
    }

    /// Names of the states not reachable from `start`, in declaration order.
    pub fn unreachable_from(&self, start: &str) -> Vec<&'a str> {
        let Some(start) = self.names.iter().position(|n| *n == start) else {
            return Vec::new();
        };
        let mut seen = vec![false; self.names.len()];
        let mut queue = VecDeque::from([start]);
        seen[start] = true;
        while let Some(i) = queue.pop_front() {
            for &j in &self.successors[i] {
                if !std::mem::replace(&mut seen[j], true) {
                    queue.push_back(j);
                }
            }
        }
        self.names
            .iter()
            .zip(seen)
            .filter(|(_, s)| !s)
            .map(|(n, _)| *n)
            .collect()
    }

    /// Names of the states from which no path leads to a terminal state, in declaration order.
    pub fn cannot_finish(&self) -> Vec<&'a str> {
        let mut predecessors = vec![BTreeSet::new(); self.names.len()];
        for (i, succ) in self.successors.iter().enumerate() {
            for &j in succ {
                predecessors[j].insert(i);
            }
        }
        let mut finishes = self.terminal.clone();
        let mut queue: VecDeque<usize> = (0..self.names.len()).filter(|&i| finishes[i]).collect();
        while let Some(j) = queue.pop_front() {
            for &i in &predecessors[j] {
                if !std::mem::replace(&mut finishes[i], true) {
                    queue.push_back(i);
                }
            }
        }
        self.names
            .iter()
            .zip(finishes)
            .filter(|(_, f)| !f)
            .map(|(n, _)| *n)
            .collect()
    }
}
