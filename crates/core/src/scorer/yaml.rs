//! A YAML tree that remembers where every value was written, so a rubric file's
//! problems can be reported at their line and column.

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// A YAML value and its 1-based position.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub line: usize,
    pub column: usize,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Every scalar, as written (numbers and booleans are converted on use).
    Scalar(String),
    Seq(Vec<Node>),
    /// Entries in file order.
    Map(Vec<(Node, Node)>),
    /// `*alias`: rubric files do not need them, and refusing them rules out alias bombs.
    Alias,
}

/// A YAML syntax error with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Deeper than this, a rubric file is not a rubric file.
const MAX_DEPTH: usize = 64;

#[derive(Default)]
struct Builder {
    stack: Vec<Node>,
    /// Pending map keys, one slot per open map.
    keys: Vec<Option<Node>>,
    root: Option<Node>,
    too_deep: Option<(usize, usize)>,
}

fn pos(mark: Marker) -> (usize, usize) {
    (mark.line(), mark.col() + 1)
}

impl Builder {
    fn push_value(&mut self, node: Node) {
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some(Node {
                value: Value::Seq(items),
                ..
            }) => items.push(node),
            Some(Node {
                value: Value::Map(entries),
                ..
            }) => {
                let slot = self.keys.last_mut().expect("a key slot for every open map");
                match slot.take() {
                    None => *slot = Some(node),
                    Some(key) => entries.push((key, node)),
                }
            }
            Some(_) => {}
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        let (line, column) = pos(mark);
        match ev {
            Event::Scalar(s, style, ..) => {
                // Point at the text itself, not at its opening quote.
                let quoted = matches!(
                    style,
                    TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted
                );
                self.push_value(Node {
                    line,
                    column: column + usize::from(quoted),
                    value: Value::Scalar(s),
                })
            }
            Event::Alias(_) => self.push_value(Node {
                line,
                column,
                value: Value::Alias,
            }),
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                if self.stack.len() >= MAX_DEPTH {
                    self.too_deep.get_or_insert((line, column));
                }
                let value = if matches!(ev, Event::SequenceStart(..)) {
                    Value::Seq(Vec::new())
                } else {
                    self.keys.push(None);
                    Value::Map(Vec::new())
                };
                self.stack.push(Node {
                    line,
                    column,
                    value,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(node) = self.stack.pop() {
                    if matches!(node.value, Value::Map(_)) {
                        self.keys.pop();
                    }
                    self.push_value(node);
                }
            }
            _ => {}
        }
    }
}

/// Parses the first document of `text`; `Ok(None)` for an empty file.
pub fn parse(text: &str) -> Result<Option<Node>, SyntaxError> {
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    parser.load(&mut builder, false).map_err(|e| {
        let (line, column) = pos(*e.marker());
        SyntaxError {
            line,
            column,
            message: e.info().to_string(),
        }
    })?;
    if let Some((line, column)) = builder.too_deep {
        return Err(SyntaxError {
            line,
            column,
            message: "nested too deeply".into(),
        });
    }
    Ok(builder.root)
}

impl Node {
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(s) => Some(s),
            _ => None,
        }
    }

    pub fn kind(&self) -> &'static str {
        match &self.value {
            Value::Scalar(_) => "a text or number",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a map",
            Value::Alias => "an alias",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_positions() {
        let doc = parse("a: 1\nb:\n  - x\n  - \"y\"\n").unwrap().unwrap();
        let Value::Map(entries) = &doc.value else {
            panic!()
        };
        assert_eq!(entries[1].0.as_str(), Some("b"));
        assert_eq!((entries[1].0.line, entries[1].0.column), (2, 1));
        let Value::Seq(items) = &entries[1].1.value else {
            panic!()
        };
        assert_eq!(
            (items[1].line, items[1].column, items[1].as_str()),
            (4, 6, Some("y"))
        );
    }

    #[test]
    fn syntax_errors_have_positions() {
        let e = parse("a: [1, 2\nb: 3").unwrap_err();
        assert!(e.line >= 1 && e.column >= 1, "{e:?}");
        assert_eq!(parse("").unwrap(), None);
    }
}
