//! Placeholders in scenario text: `{customer.name}`, `{customer.first_name}`,
//! `{customer.last_name}`,
//! `{facts.KEY}` and `{facts.KEY.SUB}`; `{{` and `}}` are literal braces.
//!
//! One parser serves both the validator (which reports unknown names with their offset)
//! and the engine (which fills them in), so the two can never disagree on what counts as
//! a placeholder.

use std::collections::BTreeMap;

use crate::model::{Customer, Language};

/// A piece of a template: literal text, a placeholder, or a brace that belongs to nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece<'a> {
    Text(&'a str),
    /// The name between the braces and the char offset of its `{`.
    Placeholder(&'a str, usize),
    /// A `{` that closes nowhere or a lone `}` (the validator rejects these), with its
    /// char offset; rendered as written.
    Stray(&'static str, usize),
}

/// Splits `text` into literal runs, placeholders and stray braces.
pub fn pieces<'a>(text: &'a str) -> Vec<Piece<'a>> {
    let mut out = Vec::new();
    let mut literal_from = 0;
    let mut chars = 0;
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        let at = chars;
        chars += 1;
        let flush = |out: &mut Vec<Piece<'a>>, upto: usize| {
            if upto > literal_from {
                out.push(Piece::Text(&text[literal_from..upto]));
            }
        };
        match c {
            '{' | '}' if iter.peek().map(|&(_, n)| n) == Some(c) => {
                // A doubled brace is one literal brace: keep the first, skip the second.
                flush(&mut out, i + 1);
                iter.next();
                chars += 1;
                literal_from = i + 2;
            }
            '{' => {
                let rest = &text[i + 1..];
                match rest.find(['{', '}']) {
                    Some(len) if rest.as_bytes()[len] == b'}' => {
                        flush(&mut out, i);
                        out.push(Piece::Placeholder(&rest[..len], at));
                        for _ in rest[..len].chars() {
                            iter.next();
                        }
                        iter.next();
                        chars += rest[..len].chars().count() + 1;
                        literal_from = i + len + 2;
                    }
                    _ => {
                        flush(&mut out, i);
                        out.push(Piece::Stray("{", at));
                        literal_from = i + 1;
                    }
                }
            }
            '}' => {
                flush(&mut out, i);
                out.push(Piece::Stray("}", at));
                literal_from = i + 1;
            }
            _ => {}
        }
    }
    if literal_from < text.len() {
        out.push(Piece::Text(&text[literal_from..]));
    }
    out
}

/// The placeholders every customer has, whatever its facts.
pub const CUSTOMER_PLACEHOLDERS: [&str; 3] =
    ["customer.name", "customer.first_name", "customer.last_name"];

/// The one rule for which placeholders can be filled, in scenario text and in rubric
/// phrases alike: one of [`CUSTOMER_PLACEHOLDERS`], or `facts.KEY[.SUB...]` when
/// `has_fact` says the customer has `KEY[.SUB...]`.
pub fn is_known_placeholder(name: &str, has_fact: impl Fn(&str) -> bool) -> bool {
    CUSTOMER_PLACEHOLDERS.contains(&name)
        || name
            .strip_prefix("facts.")
            .is_some_and(|k| !k.is_empty() && has_fact(k))
}

/// A `customer.*` placeholder of the full name `full`: the name, its first word, or its
/// last word when it has two or more (`None` for a one-word name's `customer.last_name`,
/// and for any other placeholder).
pub fn customer_field<'a>(name: &str, full: &'a str) -> Option<&'a str> {
    let mut words = full.split_whitespace();
    match name {
        "customer.name" => Some(full),
        "customer.first_name" => words.next(),
        "customer.last_name" => {
            let last = words.next_back();
            words.next().and(last)
        }
        _ => None,
    }
}

/// A `facts.KEY[.SUB...]` placeholder's value in `facts`.
pub fn fact_value<'a>(
    name: &str,
    facts: &'a BTreeMap<String, serde_json::Value>,
) -> Option<&'a serde_json::Value> {
    let mut parts = name.strip_prefix("facts.")?.split('.');
    let mut value = facts.get(parts.next()?)?;
    for sub in parts {
        value = value.get(sub)?;
    }
    Some(value)
}

/// The value a placeholder name stands for, or `None` when the customer has no such thing.
pub fn lookup(name: &str, customer: &Customer) -> Option<String> {
    if CUSTOMER_PLACEHOLDERS.contains(&name) {
        // A one-word name is its own last name here, as a customer line reads it.
        let field = customer_field(name, &customer.name).unwrap_or(&customer.name);
        return Some(field.to_string());
    }
    fact_value(name, &customer.facts).map(|value| spoken(value, customer.language))
}

/// A fact as a customer says it: an ISO date (`2026-11-14`) as "November 14" or
/// "14 novembre"; anything else as [`fact_text`].
pub fn spoken(value: &serde_json::Value, language: Language) -> String {
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    const FR: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    if let Some(s) = value.as_str() {
        let b = s.as_bytes();
        let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
        if b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && digits(0..4)
            && digits(5..7)
            && digits(8..10)
        {
            let month: usize = s[5..7].parse().unwrap_or(0);
            let day: u32 = s[8..10].parse().unwrap_or(0);
            if (1..=12).contains(&month) && (1..=31).contains(&day) {
                return match language {
                    Language::En => format!("{} {day}", EN[month - 1]),
                    Language::Fr if day == 1 => format!("1er {}", FR[month - 1]),
                    Language::Fr => format!("{day} {}", FR[month - 1]),
                };
            }
        }
    }
    match value {
        serde_json::Value::Array(items) => items
            .iter()
            .map(|v| spoken(v, language))
            .collect::<Vec<_>>()
            .join(", "),
        other => fact_text(other),
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
            Piece::Stray(brace, _) => out.push_str(brace),
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
            max_chases: crate::model::DEFAULT_MAX_CHASES,
            language: Language::En,
            facts: [
                ("order_id".to_string(), json!("A-1")),
                ("amount".to_string(), json!(64.99)),
                ("card".to_string(), json!({"last4": "4242"})),
            ]
            .into_iter()
            .collect(),
            variants: vec![],
            variant: None,
            fact_order: vec![],
            fact_labels: std::collections::BTreeMap::new(),
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
        assert_eq!(p[3], Piece::Stray("{", 15));
    }

    #[test]
    fn finds_placeholders_literal_braces_and_strays() {
        let names = |t| -> Vec<Piece> {
            pieces(t)
                .into_iter()
                .filter(|p| !matches!(p, Piece::Text(_)))
                .collect()
        };
        assert_eq!(
            names("Hi {customer.name}, {{literal}} {facts.a.b}"),
            [
                Piece::Placeholder("customer.name", 3),
                Piece::Placeholder("facts.a.b", 32)
            ]
        );
        assert_eq!(names("a } b"), [Piece::Stray("}", 2)]);
        assert_eq!(
            names("{a{b}"),
            [Piece::Stray("{", 0), Piece::Placeholder("b", 2)]
        );
        assert_eq!(names("é{x}"), [Piece::Placeholder("x", 1)]);
        assert_eq!(render("x {a{b} }", &dana()), "x {a{b} }");
    }

    #[test]
    fn unknown_placeholders_stay_visible() {
        assert_eq!(render("hi {facts.nope}", &dana()), "hi {facts.nope}");
        assert_eq!(lookup("customer.age", &dana()), None);
        assert_eq!(lookup("facts.card.nope", &dana()), None);
    }

    /// Dates in customer lines read as "2026-11-14" (issue 11): they are said the way a
    /// person says them, in the customer's language.
    #[test]
    fn dates_are_said_as_people_say_them() {
        let mut c = dana();
        c.facts.insert("due".into(), json!("2026-11-14"));
        c.facts.insert("first".into(), json!("2026-03-01"));
        assert_eq!(render("Due {facts.due}.", &c), "Due November 14.");
        c.language = Language::Fr;
        assert_eq!(
            render("Le {facts.due}, le {facts.first}.", &c),
            "Le 14 novembre, le 1er mars."
        );
        c.facts.insert("code".into(), json!("2026-11-14-X"));
        assert_eq!(render("{facts.code}", &c), "2026-11-14-X", "not a date");
    }
}
