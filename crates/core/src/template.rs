//! Placeholders in scenario text: `{customer.name}`, `{customer.first_name}`,
//! `{facts.KEY}` and `{facts.KEY.SUB}`; `{{` and `}}` are literal braces.
//!
//! One parser serves both the validator (which reports unknown names with their offset)
//! and the engine (which fills them in), so the two can never disagree on what counts as
//! a placeholder.

use crate::model::Customer;

/// A piece of a template: literal text, or a placeholder name with its char offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece<'a> {
    Text(&'a str),
    /// The name between the braces, trimmed, and the char offset of its `{`.
    Placeholder(&'a str, usize),
    /// A `{` with no closing `}`; the char offset of the `{`.
    Unclosed(usize),
}

/// Splits `text` into literal runs and placeholders.
pub fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    let mut chars_before = 0;
    while let Some(i) = rest.find(['{', '}']) {
        if i > 0 {
            out.push(Piece::Text(&rest[..i]));
        }
        let at = chars_before + rest[..i].chars().count();
        let tail = &rest[i..];
        let (consumed, piece) = if tail.starts_with("{{") {
            (2, Piece::Text("{"))
        } else if tail.starts_with("}}") {
            (2, Piece::Text("}"))
        } else if tail.starts_with('}') {
            (1, Piece::Text("}"))
        } else {
            match tail.find('}') {
                Some(end) => (end + 1, Piece::Placeholder(tail[1..end].trim(), at)),
                None => (tail.len(), Piece::Unclosed(at)),
            }
        };
        out.push(piece);
        chars_before = at + tail[..consumed].chars().count();
        rest = &tail[consumed..];
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    out
}

/// The value a placeholder name stands for, or `None` when the customer has no such thing.
pub fn lookup(name: &str, customer: &Customer) -> Option<String> {
    let mut parts = name.split('.');
    match (parts.next()?, parts.next()) {
        ("customer", Some("name")) if parts.next().is_none() => Some(customer.name.clone()),
        ("customer", Some("first_name")) if parts.next().is_none() => {
            Some(customer.first_name().to_string())
        }
        ("facts", Some(key)) => {
            let mut value = customer.facts.get(key)?;
            for sub in parts {
                value = value.get(sub)?;
            }
            Some(fact_text(value))
        }
        _ => None,
    }
}

/// How a fact reads inside a sentence.
pub fn fact_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        serde_json::Value::Array(items) => {
            items.iter().map(fact_text).collect::<Vec<_>>().join(", ")
        }
        other => other.to_string(),
    }
}

/// Fills every placeholder; an unknown one (which validation has already rejected) is
/// left as written so a trainer sees it rather than an empty gap.
pub fn render(text: &str, customer: &Customer) -> String {
    let mut out = String::with_capacity(text.len());
    for piece in pieces(text) {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Placeholder(name, _) => match lookup(name, customer) {
                Some(v) => out.push_str(&v),
                None => {
                    out.push('{');
                    out.push_str(name);
                    out.push('}');
                }
            },
            Piece::Unclosed(at) => out.extend(text.chars().skip(at)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn dana() -> Customer {
        Customer {
            name: "Dana Whitfield".into(),
            persona: String::new(),
            mood: 20,
            patience: None,
            facts: [
                ("order_id".to_string(), json!("A-1")),
                ("amount".to_string(), json!(64.99)),
                ("card".to_string(), json!({"last4": "4242"})),
            ]
            .into_iter()
            .collect(),
        }
    }

    #[test]
    fn fills_names_facts_and_nested_facts() {
        let text = "{customer.first_name}, order {facts.order_id} for {facts.amount} on card {facts.card.last4}";
        assert_eq!(
            render(text, &dana()),
            "Dana, order A-1 for 64.99 on card 4242"
        );
    }

    #[test]
    fn double_braces_are_literal() {
        assert_eq!(
            render("{{not a placeholder}}", &dana()),
            "{not a placeholder}"
        );
    }

    #[test]
    fn reports_placeholder_offsets_in_chars() {
        let p = pieces("Café {facts.x} {oops");
        assert_eq!(p[1], Piece::Placeholder("facts.x", 5));
        assert_eq!(p[3], Piece::Unclosed(15));
    }

    #[test]
    fn unknown_placeholders_stay_visible() {
        assert_eq!(render("hi {facts.nope}", &dana()), "hi {facts.nope}");
        assert_eq!(lookup("customer.age", &dana()), None);
        assert_eq!(lookup("facts.card.nope", &dana()), None);
    }
}
