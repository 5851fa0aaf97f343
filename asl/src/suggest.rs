//! "Did you mean" suggestions for misspelled names, shared by the macro and the validator.

/// The candidate closest to `name` by edit distance, if it is close enough to be a likely typo.
///
/// Names longer than [`MAX_SUGGESTED_CHARS`] get no suggestion, and a candidate whose length differs by more than the
/// allowed distance is skipped before any distance is computed, so the cost stays small whatever the input (the edit
/// distance is quadratic in the names' lengths).
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let length = name.chars().count();
    if length > MAX_SUGGESTED_CHARS {
        return None;
    }
    let limit = (length / 3).max(1);
    let lowered = name.to_lowercase();
    candidates
        .into_iter()
        .filter(|c| c.chars().count().abs_diff(length) <= limit)
        .map(|c| (edit_distance(&lowered, &c.to_lowercase()), c))
        .filter(|(d, c)| *d <= limit && *d < length.max(c.chars().count()))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// The longest name a suggestion is looked for (state names have at most 80 characters; field and function names
/// fewer).
pub const MAX_SUGGESTED_CHARS: usize = 256;

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != cb))
                .min(row[j] + 1)
                .min(above + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_names_only() {
        let names = ["ValidateOrder", "ChargeCard", "Done"];
        assert_eq!(closest("ValidatOrder", names), Some("ValidateOrder"));
        assert_eq!(closest("chargecard", names), Some("ChargeCard"));
        assert_eq!(closest("Shipping", names), None);
        assert_eq!(
            closest("B", ["A"]),
            None,
            "a one-letter name is no typo of another"
        );
    }

    #[test]
    fn long_names_cost_nothing() {
        let long = "b".repeat(60_000);
        let other = "a".repeat(60_000);
        // A quadratic distance between these would take seconds; both are skipped before any is computed.
        assert_eq!(closest(&long, [other.as_str()]), None);
        assert_eq!(
            closest("ValidatOrder", [other.as_str(), "ValidateOrder"]),
            Some("ValidateOrder")
        );
    }
}
