//! The one rule for the ids a trainer writes: scenarios, nodes, endings, persona
//! variants, tracks, criteria (in rubric files and in a scenario's `rubric:`), and, with
//! the extra limits a folder name needs, packs.

/// Whether `id` is lowercase letters, digits, `_` and `-` (and not empty).
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// The message for an id that breaks [`is_valid_id`]; `what` is "node", "criterion", ...
pub fn bad_id_message(what: &str, id: &str) -> String {
    format!("`{id}` is not a valid {what} id: ids use only lowercase letters, digits, `_` and `-`.")
}

/// A likely fix for a bad id: lowercase, spaces as `_`, other characters dropped.
pub fn id_hint(id: &str) -> String {
    let fixed: String = id
        .trim()
        .chars()
        .map(|c| {
            if c.is_whitespace() {
                '_'
            } else {
                c.to_ascii_lowercase()
            }
        })
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_' || *c == '-')
        .collect();
    if fixed.is_empty() {
        "use something like `my_id`".into()
    } else {
        format!("try `{fixed}`")
    }
}

/// Whether `id` may name a pack (and so a folder): an id ([`is_valid_id`]) of at most 64
/// characters, without `_`, not starting with `-`.
pub fn valid_pack_id(id: &str) -> bool {
    is_valid_id(id) && id.len() <= 64 && !id.starts_with('-') && !id.contains('_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_rule_for_ids() {
        assert!(is_valid_id("calm_down-2"));
        assert!(!is_valid_id("Calm down"));
        assert!(!is_valid_id(""));
        assert_eq!(id_hint("Calm Down"), "try `calm_down`");
        assert!(valid_pack_id("billing-basics"));
        assert!(!valid_pack_id("billing_basics"));
        assert!(!valid_pack_id("-x"));
    }
}
