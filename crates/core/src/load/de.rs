//! Turning parts of the document into raw types with serde, and serde's complaints into
//! diagnostics a trainer can act on.
//!
//! serde stops at the first problem. To report them all, [`Ctx::section`] deserialises,
//! and on an error reports it at the position the tree gives for serde's path, removes
//! the offending value and tries again. A removed required value would then show up as
//! a "missing" error; that one is not reported a second time, and the map that lacks it
//! is removed in turn, so the problem climbs to the section root while every other
//! problem of the section is still found (serde visits entries in file order, and
//! reports missing fields only at the end of a map).

use std::collections::HashSet;
use std::path::Path;

use serde::de::DeserializeOwned;
use serde_yaml::Value;

use crate::diag::{suggest, Diagnostic, Severity};
use crate::yaml::{Pos, Seg, Tree};

/// Enough for any honest file; stops a pathological one from costing quadratic time.
const MAX_PROBLEMS_PER_SECTION: usize = 50;

/// How many candidate comparisons "did you mean" may cost in one file. A huge file full
/// of bad ids would otherwise cost (ids x problems) edit distances.
const SUGGESTION_BUDGET: usize = 200_000;

/// Everything a check needs to report a problem: the file, its positions, and the list.
pub(crate) struct Ctx<'a> {
    pub file: &'a Path,
    pub tree: &'a Tree,
    lines: Vec<&'a str>,
    pub diags: Vec<Diagnostic>,
    suggestion_budget: usize,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(file: &'a Path, tree: &'a Tree, text: &'a str) -> Self {
        Ctx {
            file,
            tree,
            lines: text.lines().collect(),
            diags: Vec::new(),
            suggestion_budget: SUGGESTION_BUDGET,
        }
    }

    pub(crate) fn report(
        &mut self,
        severity: Severity,
        pos: Pos,
        code: &str,
        message: String,
        hint: Option<String>,
    ) {
        let mut d = match severity {
            Severity::Error => Diagnostic::error(self.file, pos.line, pos.col, code, message),
            Severity::Warning => Diagnostic::warning(self.file, pos.line, pos.col, code, message),
        };
        d.hint = hint;
        self.diags.push(d);
    }

    /// An error at the value of `path`.
    pub(crate) fn error(
        &mut self,
        path: &[Seg],
        code: &str,
        message: String,
        hint: Option<String>,
    ) {
        let pos = self.tree.locate(path);
        self.report(Severity::Error, pos, code, message, hint);
    }

    /// An error at the key that ends `path` (an id, an unknown key).
    pub(crate) fn error_at_key(
        &mut self,
        path: &[Seg],
        code: &str,
        message: String,
        hint: Option<String>,
    ) {
        let pos = self.tree.locate_key(path);
        self.report(Severity::Error, pos, code, message, hint);
    }

    /// A warning at the value of `path`.
    pub(crate) fn warning(
        &mut self,
        path: &[Seg],
        code: &str,
        message: String,
        hint: Option<String>,
    ) {
        let pos = self.tree.locate(path);
        self.report(Severity::Warning, pos, code, message, hint);
    }

    pub(crate) fn warning_at_key(
        &mut self,
        path: &[Seg],
        code: &str,
        message: String,
        hint: Option<String>,
    ) {
        let pos = self.tree.locate_key(path);
        self.report(Severity::Warning, pos, code, message, hint);
    }

    /// [`diag::suggest`](crate::diag::suggest), until the file's budget is spent.
    pub(crate) fn suggest<'s>(
        &mut self,
        wrong: &str,
        candidates: impl IntoIterator<Item = &'s str>,
    ) -> Option<&'s str> {
        let candidates: Vec<&str> = candidates.into_iter().collect();
        self.suggestion_budget = self.suggestion_budget.checked_sub(candidates.len())?;
        suggest(wrong, candidates)
    }

    pub(crate) fn has_errors(&self) -> bool {
        self.diags.iter().any(Diagnostic::is_error)
    }

    /// Where `needle` is written in the text value at `path`: exact when it can be found
    /// on the value's lines, else the start of the value.
    pub(crate) fn locate_in_text(&self, path: &[Seg], needle: &str, text_lines: usize) -> Pos {
        let start = self.tree.locate(path);
        for (i, line) in self
            .lines
            .iter()
            .enumerate()
            .skip(start.line.saturating_sub(1))
            .take(text_lines + 2)
        {
            let skip = if i + 1 == start.line {
                start.col - 1
            } else {
                0
            };
            let (byte_skip, _) = line.char_indices().nth(skip).unwrap_or((line.len(), ' '));
            if let Some(found) = line[byte_skip..].find(needle) {
                let col = skip + line[byte_skip..byte_skip + found].chars().count() + 1;
                return Pos { line: i + 1, col };
            }
        }
        start
    }

    /// Deserialises the value at `base` into `T`, reporting every problem found.
    /// Returns the value (possibly with bad parts left out) and whether it was clean.
    pub(crate) fn section<T: DeserializeOwned>(
        &mut self,
        base: &[Seg],
        value: &Value,
    ) -> (Option<T>, bool) {
        let mut value = value.clone();
        // Indices removed from lists, so later serde paths map back to the file.
        let mut removed_items: Vec<(Vec<Seg>, usize)> = Vec::new();
        // Paths (relative to `base`, as in the file) removed after being reported.
        let mut removed: HashSet<Vec<Seg>> = HashSet::new();
        for _ in 0..MAX_PROBLEMS_PER_SECTION {
            let err = match serde_path_to_error::deserialize::<_, T>(value.clone()) {
                Ok(t) => return (Some(t), removed.is_empty()),
                Err(err) => err,
            };
            let Some(current) = segments(err.path()) else {
                self.error(base, "wrong-type", err.inner().to_string(), None);
                return (None, false);
            };
            let original = translate(&current, &removed_items);
            let full: Vec<Seg> = base
                .iter()
                .cloned()
                .chain(original.iter().cloned())
                .collect();
            let problem = Problem::parse(&err.inner().to_string());
            if let Problem::MissingField(field) = &problem {
                let mut child = original.clone();
                child.push(Seg::Key(field.clone()));
                if !removed.contains(&child) {
                    self.missing_key(&full, field);
                }
            } else {
                self.serde_problem(&full, problem);
            }
            if current.is_empty() || !remove(&mut value, &current) {
                return (None, false);
            }
            if let Some((Seg::Index(i), parent)) = original.split_last() {
                removed_items.push((parent.to_vec(), *i));
            }
            removed.insert(original);
        }
        (None, false)
    }

    pub(crate) fn missing_key(&mut self, parent: &[Seg], field: &str) {
        let whose = match parent {
            [] => "The scenario".to_string(),
            _ => format!("`{}`", crate::yaml::PathDisplay(parent)),
        };
        self.error_at_key(
            parent,
            "missing-key",
            format!("{whose} is missing the required key `{field}`."),
            Some(format!("add `{field}: ...` here")),
        );
    }

    fn serde_problem(&mut self, path: &[Seg], problem: Problem) {
        let label = label(path);
        match problem {
            Problem::UnknownField { field, expected } => {
                let hint = match self.suggest(&field, expected.iter().map(String::as_str)) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None if expected.is_empty() => "remove it".to_string(),
                    None => format!("the keys allowed here are {}", backticked(&expected)),
                };
                self.error_at_key(
                    path,
                    "unknown-key",
                    format!("`{field}` is not a key the scenario format knows here."),
                    Some(hint),
                );
            }
            Problem::UnknownVariant { variant, expected } => {
                let hint = match self.suggest(&variant, expected.iter().map(String::as_str)) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("use one of {}", backticked(&expected)),
                };
                self.error(
                    path,
                    "invalid-value",
                    format!("{label} cannot be `{variant}`."),
                    Some(hint),
                );
            }
            Problem::InvalidType { found, expected }
            | Problem::InvalidValue { found, expected } => {
                let wanted = plain_expected(&expected);
                let hint = match found.split_once(' ') {
                    Some(("integer" | "floating", _)) | Some(("boolean", _))
                        if wanted == "text" =>
                    {
                        Some("put the value in quotes to make it text".to_string())
                    }
                    _ if found == "map" && wanted.contains("text") => Some(
                        "text that contains `: ` must be put in quotes, like \"Note: ...\""
                            .to_string(),
                    ),
                    _ => None,
                };
                self.error(
                    path,
                    "wrong-type",
                    format!(
                        "{label} should be {wanted}, but it is {}.",
                        plain_found(&found)
                    ),
                    hint,
                );
            }
            Problem::MissingField(field) => self.missing_key(path, &field),
            Problem::Other(message) => {
                self.error(path, "wrong-type", format!("{label}: {message}"), None)
            }
        }
    }
}

/// serde's error, taken apart. serde's messages have a fixed shape (they come from
/// `serde::de::Error`'s provided methods), which is what makes this parsing safe.
#[derive(Debug, PartialEq)]
enum Problem {
    UnknownField {
        field: String,
        expected: Vec<String>,
    },
    UnknownVariant {
        variant: String,
        expected: Vec<String>,
    },
    MissingField(String),
    InvalidType {
        found: String,
        expected: String,
    },
    InvalidValue {
        found: String,
        expected: String,
    },
    Other(String),
}

impl Problem {
    fn parse(message: &str) -> Problem {
        let ticked = || {
            message
                .split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        let split = |rest: &str| match rest.rsplit_once(", expected ") {
            Some((found, expected)) => (found.to_string(), expected.to_string()),
            None => (rest.to_string(), String::new()),
        };
        if message.starts_with("unknown field `") {
            let mut names = ticked();
            let field = names.remove(0);
            Problem::UnknownField {
                field,
                expected: names,
            }
        } else if message.starts_with("unknown variant `") {
            let mut names = ticked();
            let variant = names.remove(0);
            Problem::UnknownVariant {
                variant,
                expected: names,
            }
        } else if let Some(rest) = message.strip_prefix("missing field `") {
            Problem::MissingField(rest.trim_end_matches('`').to_string())
        } else if let Some(rest) = message.strip_prefix("invalid type: ") {
            let (found, expected) = split(rest);
            Problem::InvalidType { found, expected }
        } else if let Some(rest) = message.strip_prefix("invalid value: ") {
            let (found, expected) = split(rest);
            Problem::InvalidValue { found, expected }
        } else {
            Problem::Other(message.to_string())
        }
    }
}

/// How a message names the value at `path`: "`goto`", "item 2 of `say`".
pub(crate) fn label(path: &[Seg]) -> String {
    match path {
        [.., Seg::Key(k), Seg::Index(i)] => format!("Item {} of `{k}`", i + 1),
        [.., Seg::Key(k)] => format!("`{k}`"),
        [.., Seg::Index(i)] => format!("Item {}", i + 1),
        [] => "The file".to_string(),
    }
}

pub(crate) fn backticked(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn plain_expected(expected: &str) -> String {
    match expected {
        "a string" => "text".into(),
        "i8" | "i16" | "i32" | "i64" => "a whole number".into(),
        "u8" | "u16" | "u32" | "u64" | "usize" => "a whole number (0 or more)".into(),
        "f32" | "f64" => "a number".into(),
        "a boolean" => "`true` or `false`".into(),
        "a sequence" => "a list".into(),
        "a map" => "a map of keys".into(),
        e if e.starts_with("struct ") => "a map of keys".into(),
        e if e.starts_with("enum ") => "one of the allowed words".into(),
        e if e.starts_with("a sequence") || e.starts_with("tuple") => "a list".into(),
        e => e.into(),
    }
}

fn plain_found(found: &str) -> String {
    const LONGEST: usize = 40;
    if let Some(text) = found.strip_prefix("string ") {
        let shown: String = text.chars().take(LONGEST).collect();
        let more = if text.chars().count() > LONGEST {
            "…"
        } else {
            ""
        };
        return format!("the text {shown}{more}");
    }
    for prefix in ["integer ", "floating point "] {
        if let Some(n) = found.strip_prefix(prefix) {
            return format!("the number {}", n.trim_matches('`'));
        }
    }
    match found {
        "sequence" => "a list".into(),
        "map" => "a map".into(),
        "unit value" | "unit" | "null" => "empty".into(),
        f => f.replace("boolean ", ""),
    }
}

fn segments(path: &serde_path_to_error::Path) -> Option<Vec<Seg>> {
    path.iter()
        .map(|seg| match seg {
            serde_path_to_error::Segment::Map { key } => Some(Seg::Key(key.clone())),
            serde_path_to_error::Segment::Seq { index } => Some(Seg::Index(*index)),
            _ => None,
        })
        .collect()
}

/// Maps a path in the edited value back to the file, given the list items removed so far.
fn translate(current: &[Seg], removed_items: &[(Vec<Seg>, usize)]) -> Vec<Seg> {
    let mut original = Vec::with_capacity(current.len());
    for seg in current {
        let seg = match seg {
            Seg::Index(i) => {
                let mut gone: Vec<usize> = removed_items
                    .iter()
                    .filter(|(parent, _)| *parent == original)
                    .map(|&(_, idx)| idx)
                    .collect();
                gone.sort_unstable();
                let mut at = *i;
                for g in gone {
                    if g <= at {
                        at += 1;
                    }
                }
                Seg::Index(at)
            }
            key => key.clone(),
        };
        original.push(seg);
    }
    original
}

fn remove(value: &mut Value, path: &[Seg]) -> bool {
    let Some((last, parent)) = path.split_last() else {
        return false;
    };
    let mut at = value;
    for seg in parent {
        let next = match (at, seg) {
            (Value::Mapping(m), Seg::Key(k)) => m.get_mut(k.as_str()),
            (Value::Sequence(s), Seg::Index(i)) => s.get_mut(*i),
            _ => None,
        };
        match next {
            Some(v) => at = v,
            None => return false,
        }
    }
    match (at, last) {
        (Value::Mapping(m), Seg::Key(k)) => m.remove(k.as_str()).is_some(),
        (Value::Sequence(s), Seg::Index(i)) if *i < s.len() => {
            s.remove(*i);
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_serde_messages() {
        assert_eq!(
            Problem::parse("unknown field `gotto`, expected `goto` or `mood`"),
            Problem::UnknownField {
                field: "gotto".into(),
                expected: vec!["goto".into(), "mood".into()]
            }
        );
        assert_eq!(
            Problem::parse("missing field `say`"),
            Problem::MissingField("say".into())
        );
        assert_eq!(
            Problem::parse("invalid type: string \"a, expected b\", expected i64"),
            Problem::InvalidType {
                found: "string \"a, expected b\"".into(),
                expected: "i64".into()
            }
        );
    }

    #[test]
    fn translates_paths_past_removed_items() {
        let removed = vec![
            (vec![Seg::Key("say".into())], 1),
            (vec![Seg::Key("say".into())], 2),
        ];
        let path = translate(&[Seg::Key("say".into()), Seg::Index(1)], &removed);
        assert_eq!(path, vec![Seg::Key("say".into()), Seg::Index(3)]);
        let path = translate(&[Seg::Key("say".into()), Seg::Index(0)], &removed);
        assert_eq!(path, vec![Seg::Key("say".into()), Seg::Index(0)]);
    }
}
