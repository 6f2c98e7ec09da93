//! The crate's one YAML front end: a document with a source position on every key and
//! value, for every file a trainer writes (scenarios, rubric files, `tracks.yaml`,
//! `pack.yaml`), with the same limits and the same diagnostics for all of them.
//!
//! serde_yaml forgets where things were, so each reader parses the text once with
//! yaml-rust2's event parser into this small tree, then (1) hands serde a
//! [`serde_yaml::Value`] built from it and (2) asks it where a path such as
//! `nodes.opening.branches[1].goto` sits in the file. Building the `Value` here, rather
//! than letting serde_yaml parse the text a second time, keeps one parser's view of the
//! file (positions can never disagree with values) and lets a repeated key be reported
//! without losing the rest of the file.
//!
//! Hostile input is bounded: nesting deeper than [`MAX_DEPTH`] is a syntax error, aliases
//! stay references in the tree and are expanded into the `Value` under a node budget (so
//! a "billion laughs" file is an error, not an out-of-memory), and an alias can only name
//! a finished node, so it can never form a cycle.
//!
//! [`read`] is the entry point: it turns every problem any YAML file can have (syntax, a
//! tab, a repeated key, nesting, an alias bomb, an empty file) into [`Diagnostic`]s, so a
//! reader only reports what is wrong with its own kind of file. Readers that want serde
//! types use the [`Value`]; readers that walk the document themselves (rubric files) use
//! [`Tree::root`] and [`NodeRef`]. Nothing here knows about scenarios or the scorer.

use std::collections::HashMap;
use std::fmt;
use std::io::Read;
use std::path::Path;

use crate::diag::Diagnostic;

use serde_yaml::{Mapping, Number, Value};
use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::TScalarStyle;

/// Deepest nesting of lists and maps accepted, far beyond any real scenario (about 8).
pub const MAX_DEPTH: usize = 64;

/// Beyond the tree's own size, how many values alias expansion may add.
const ALIAS_BUDGET: usize = 100_000;

/// A 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
}

/// One step of a path into the document.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// Renders a path the way a trainer reads it: `nodes.opening.branches[1].goto`.
pub struct PathDisplay<'a>(pub &'a [Seg]);

impl fmt::Display for PathDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Key(k) if i == 0 => write!(f, "{k}")?,
                Seg::Key(k) => write!(f, ".{k}")?,
                Seg::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

#[derive(Debug)]
pub enum Kind {
    Scalar {
        text: String,
        plain: bool,
        /// Single- or double-quoted: the text starts one column after the node.
        quoted: bool,
        str_tag: bool,
    },
    Seq(Vec<usize>),
    /// Entries in file order, as (key node, value node); repeated keys are left out.
    Map(Vec<(usize, usize)>),
    /// Refers to the (finished) node the anchor was set on.
    Alias(usize),
}

#[derive(Debug)]
pub struct MNode {
    pub kind: Kind,
    pub pos: Pos,
}

/// A key that appears twice in one map: the second is dropped from the tree.
#[derive(Debug)]
pub struct DuplicateKey {
    pub key: String,
    pub pos: Pos,
    pub first: Pos,
}

/// Why the text is not a YAML document the loader can use.
#[derive(Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub pos: Pos,
    pub message: String,
}

#[derive(Debug)]
pub struct Tree {
    nodes: Vec<MNode>,
    root: Option<usize>,
    /// (map node, scalar key) -> (key node, value node): finding a position is then
    /// constant time per path step, even in a map of thousands of nodes.
    keys: HashMap<(usize, String), (usize, usize)>,
    pub duplicates: Vec<DuplicateKey>,
}

struct Frame {
    node: usize,
    anchor: usize,
    /// Maps only: a key waiting for its value.
    pending_key: Option<usize>,
}

fn pos_of(mark: &yaml_rust2::scanner::Marker) -> Pos {
    // yaml-rust2 counts lines from 1 but columns from 0.
    Pos {
        line: mark.line(),
        col: mark.col() + 1,
    }
}

impl Tree {
    /// Parses the first YAML document of `text`. A second document is an error: one
    /// scenario a file.
    pub fn parse(text: &str) -> Result<Tree, SyntaxError> {
        let mut parser = Parser::new_from_str(text);
        let mut tree = Tree {
            nodes: Vec::new(),
            root: None,
            keys: HashMap::new(),
            duplicates: Vec::new(),
        };
        let mut stack: Vec<Frame> = Vec::new();
        let mut anchors: HashMap<usize, usize> = HashMap::new();
        let mut documents = 0;
        loop {
            let (event, mark) = parser.next_token().map_err(|e| SyntaxError {
                pos: pos_of(e.marker()),
                message: match e.info() {
                    "recursion limit exceeded" => {
                        "lists and maps are nested too deeply".to_string()
                    }
                    info => info.to_string(),
                },
            })?;
            let pos = pos_of(&mark);
            let finished = match event {
                Event::StreamEnd => break,
                Event::DocumentStart => {
                    documents += 1;
                    if documents > 1 {
                        return Err(SyntaxError {
                            pos,
                            message: "a second YAML document starts here (`---`), but a file holds one document".into(),
                        });
                    }
                    None
                }
                Event::Nothing | Event::StreamStart | Event::DocumentEnd => None,
                Event::Scalar(text, style, anchor, tag) => {
                    let str_tag = tag.is_some_and(|t| t.suffix == "str");
                    let plain = style == TScalarStyle::Plain;
                    let quoted = matches!(
                        style,
                        TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted
                    );
                    let id = tree.push(
                        Kind::Scalar {
                            text,
                            plain,
                            quoted,
                            str_tag,
                        },
                        pos,
                    );
                    if anchor > 0 {
                        anchors.insert(anchor, id);
                    }
                    Some(id)
                }
                Event::Alias(anchor) => match anchors.get(&anchor) {
                    Some(&target) => Some(tree.push(Kind::Alias(target), pos)),
                    None => {
                        return Err(SyntaxError {
                            pos,
                            message: "this alias refers to the collection that contains it".into(),
                        })
                    }
                },
                Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                    if stack.len() >= MAX_DEPTH {
                        return Err(SyntaxError {
                            pos,
                            message: format!(
                                "lists and maps are nested more than {MAX_DEPTH} deep"
                            ),
                        });
                    }
                    let kind = if matches!(event, Event::SequenceStart(..)) {
                        Kind::Seq(Vec::new())
                    } else {
                        Kind::Map(Vec::new())
                    };
                    let node = tree.push(kind, pos);
                    stack.push(Frame {
                        node,
                        anchor,
                        pending_key: None,
                    });
                    None
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let frame = stack
                        .pop()
                        .expect("the parser balances start and end events");
                    // Registered only now, so an alias inside the collection cannot name it.
                    if frame.anchor > 0 {
                        anchors.insert(frame.anchor, frame.node);
                    }
                    Some(frame.node)
                }
            };
            if let Some(id) = finished {
                tree.attach(&mut stack, id);
            }
        }
        Ok(tree)
    }

    fn push(&mut self, kind: Kind, pos: Pos) -> usize {
        self.nodes.push(MNode { kind, pos });
        self.nodes.len() - 1
    }

    fn attach(&mut self, stack: &mut [Frame], id: usize) {
        let Some(frame) = stack.last_mut() else {
            self.root.get_or_insert(id);
            return;
        };
        let Some(key) = frame.pending_key.take() else {
            match &mut self.nodes[frame.node].kind {
                Kind::Seq(items) => items.push(id),
                _ => frame.pending_key = Some(id),
            }
            return;
        };
        if let Some(text) = self.scalar_text_of(key) {
            let slot = (frame.node, text.to_string());
            if let Some(&(first, _)) = self.keys.get(&slot) {
                let (first, pos) = (self.nodes[first].pos, self.nodes[key].pos);
                self.duplicates.push(DuplicateKey {
                    key: slot.1,
                    pos,
                    first,
                });
                return;
            }
            self.keys.insert(slot, (key, id));
        }
        let key_pos = self.nodes[key].pos;
        let map = &mut self.nodes[frame.node];
        if let Kind::Map(entries) = &mut map.kind {
            // yaml-rust2 marks a block map after its first key; the key is where it starts.
            if entries.is_empty() && key_pos < map.pos {
                map.pos = key_pos;
            }
            entries.push((key, id));
        }
    }

    /// Follows aliases to the node they stand for.
    fn resolve(&self, mut id: usize) -> usize {
        while let Kind::Alias(target) = self.nodes[id].kind {
            id = target;
        }
        id
    }

    fn scalar_text_of(&self, id: usize) -> Option<&str> {
        match &self.nodes[self.resolve(id)].kind {
            Kind::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// Whether the document is nothing at all (no node, or an empty plain scalar).
    pub fn is_empty(&self) -> bool {
        match self.root.map(|r| &self.nodes[r].kind) {
            None => true,
            Some(Kind::Scalar { text, plain, .. }) => *plain && text.is_empty(),
            Some(_) => false,
        }
    }

    /// Walks `path` as far as it exists. Returns the node reached, how many segments were
    /// matched, and the position of the last map key matched (if any).
    fn walk(&self, path: &[Seg]) -> Option<(usize, usize, Option<Pos>)> {
        let mut at = self.root?;
        let mut last_key = None;
        for (depth, seg) in path.iter().enumerate() {
            let next = match (&self.nodes[self.resolve(at)].kind, seg) {
                (Kind::Map(_), Seg::Key(k)) => {
                    self.keys
                        .get(&(self.resolve(at), k.clone()))
                        .map(|&(key, value)| {
                            last_key = Some(self.nodes[key].pos);
                            value
                        })
                }
                (Kind::Seq(items), Seg::Index(i)) => items.get(*i).copied(),
                _ => None,
            };
            match next {
                Some(n) => at = n,
                None => return Some((at, depth, last_key)),
            }
        }
        Some((at, path.len(), last_key))
    }

    /// Where the value at `path` starts. When the path does not exist (a missing key),
    /// the key of the deepest map entry that does, so the trainer lands on the right block.
    pub fn locate(&self, path: &[Seg]) -> Pos {
        match self.walk(path) {
            None => Pos { line: 1, col: 1 },
            Some((node, matched, last_key)) if matched == path.len() => {
                // An empty value (`title:`) is marked where the next line starts.
                let empty = matches!(&self.nodes[node].kind, Kind::Scalar { text, plain: true, .. } if text.is_empty());
                match (empty, last_key) {
                    (true, Some(key)) => key,
                    _ => self.nodes[node].pos,
                }
            }
            Some((node, _, last_key)) => last_key.unwrap_or(self.nodes[node].pos),
        }
    }

    /// Whether the value at `path` is a list.
    pub fn is_list(&self, path: &[Seg]) -> bool {
        matches!(self.walk(path), Some((node, matched, _))
            if matched == path.len() && matches!(self.nodes[self.resolve(node)].kind, Kind::Seq(_)))
    }

    /// Where the key that ends `path` is written; falls back to [`Tree::locate`].
    pub fn locate_key(&self, path: &[Seg]) -> Pos {
        match (self.walk(path), path.last()) {
            (Some((_, matched, Some(key))), Some(Seg::Key(_))) if matched == path.len() => key,
            _ => self.locate(path),
        }
    }

    /// The source text of the scalar at `path` (e.g. `1.10` for a version number).
    pub fn scalar_text(&self, path: &[Seg]) -> Option<&str> {
        match self.walk(path)? {
            (node, matched, _) if matched == path.len() => self.scalar_text_of(node),
            _ => None,
        }
    }

    /// Builds the serde value of the document, expanding aliases within a budget.
    pub fn to_value(&self) -> Result<Value, SyntaxError> {
        let Some(root) = self.root else {
            return Ok(Value::Null);
        };
        let mut budget = self.nodes.len() + ALIAS_BUDGET;
        self.value_of(root, 0, &mut budget)
    }

    fn value_of(&self, id: usize, depth: usize, budget: &mut usize) -> Result<Value, SyntaxError> {
        let node = &self.nodes[id];
        if *budget == 0 {
            return Err(SyntaxError {
                pos: node.pos,
                message: "aliases (`*name`) expand to too much data; is this file an alias bomb?"
                    .into(),
            });
        }
        *budget -= 1;
        if depth > 2 * MAX_DEPTH {
            return Err(SyntaxError {
                pos: node.pos,
                message: format!(
                    "aliases nest lists and maps more than {} deep",
                    2 * MAX_DEPTH
                ),
            });
        }
        Ok(match &node.kind {
            Kind::Scalar {
                text,
                plain,
                str_tag,
                ..
            } => {
                if *plain && !*str_tag {
                    resolve_plain(text)
                } else {
                    Value::String(text.clone())
                }
            }
            // The alias written in the document (the outermost) is what the trainer can fix.
            Kind::Alias(target) => self
                .value_of(*target, depth + 1, budget)
                .map_err(|e| SyntaxError { pos: node.pos, ..e })?,
            Kind::Seq(items) => Value::Sequence(
                items
                    .iter()
                    .map(|&i| self.value_of(i, depth + 1, budget))
                    .collect::<Result<_, _>>()?,
            ),
            Kind::Map(entries) => {
                let mut map = Mapping::with_capacity(entries.len());
                for &(k, v) in entries {
                    let key = self.value_of(k, depth + 1, budget)?;
                    let value = self.value_of(v, depth + 1, budget)?;
                    map.insert(key, value);
                }
                Value::Mapping(map)
            }
        })
    }
}

/// One node of a [`Tree`], for readers that walk the document themselves. Aliases are
/// followed: a node reads as what it stands for, at the place it is written.
#[derive(Clone, Copy)]
pub struct NodeRef<'a> {
    tree: &'a Tree,
    /// Where the node is written (an alias, or the node itself).
    at: usize,
    /// What it stands for (the alias's target, or the node itself).
    id: usize,
}

impl Tree {
    /// The document's top node, if it has one.
    pub fn root(&self) -> Option<NodeRef<'_>> {
        self.root.map(|r| self.node(r))
    }

    fn node(&self, at: usize) -> NodeRef<'_> {
        NodeRef {
            tree: self,
            at,
            id: self.resolve(at),
        }
    }
}

impl<'a> NodeRef<'a> {
    fn kind(&self) -> &'a Kind {
        &self.tree.nodes[self.id].kind
    }

    /// Where the node starts; for a quoted text, where the text inside the quotes starts
    /// (so an offset into the text lands on the right column).
    pub fn pos(&self) -> Pos {
        let pos = self.tree.nodes[self.at].pos;
        match self.kind() {
            Kind::Scalar { quoted: true, .. } if self.at == self.id => Pos {
                col: pos.col + 1,
                ..pos
            },
            _ => pos,
        }
    }

    /// The text of a scalar, as written (numbers and booleans too).
    pub fn as_str(&self) -> Option<&'a str> {
        match self.kind() {
            Kind::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// The items of a list.
    pub fn items(&self) -> Option<Vec<NodeRef<'a>>> {
        match self.kind() {
            Kind::Seq(items) => Some(items.iter().map(|&i| self.tree.node(i)).collect()),
            _ => None,
        }
    }

    /// The entries of a map, in file order, repeated keys left out (see [`read`]).
    pub fn entries(&self) -> Option<Vec<(NodeRef<'a>, NodeRef<'a>)>> {
        match self.kind() {
            Kind::Map(entries) => Some(
                entries
                    .iter()
                    .map(|&(k, v)| (self.tree.node(k), self.tree.node(v)))
                    .collect(),
            ),
            _ => None,
        }
    }

    /// What kind of value this is, for a "must be a list, not ..." message.
    pub fn kind_name(&self) -> &'static str {
        match self.kind() {
            Kind::Scalar { .. } => "a text or number",
            Kind::Seq(_) => "a list",
            Kind::Map(_) | Kind::Alias(_) => "a map",
        }
    }
}

/// The kind of file being read, for the messages of [`read`].
pub struct FileKind {
    /// What the file holds: "scenario", "rubric", "list of tracks", "pack description".
    pub noun: &'static str,
    /// How to start an empty file.
    pub start: &'static str,
    /// Where the shape of the file is documented, the hint of an unexplained syntax error.
    pub docs: &'static str,
}

/// Files larger than this are refused unread: no scenario comes close (a long one is
/// about 30 KiB), and it bounds the memory and time one file can cost.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// The bytes of a file a trainer wrote, at most [`MAX_FILE_BYTES`] (`io`, `too-large`).
pub fn read_bytes(path: &Path, kind: &FileKind) -> Result<Vec<u8>, Diagnostic> {
    let io = |e: std::io::Error| {
        Diagnostic::error(path, 0, 0, "io", format!("The file cannot be read: {e}."))
    };
    let file = std::fs::File::open(path).map_err(io)?;
    if let Ok(meta) = file.metadata() {
        if meta.len() > MAX_FILE_BYTES {
            return Err(too_large(path, meta.len(), kind));
        }
    }
    // Read one byte past the limit: the size on disk can change, and some files
    // (pipes, /proc) report none.
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    Ok(bytes)
}

/// The `too-large` diagnostic of a file of `size` bytes.
pub fn too_large(path: &Path, size: u64, kind: &FileKind) -> Diagnostic {
    Diagnostic::error(
        path,
        0,
        0,
        "too-large",
        format!(
            "The file is {} KiB, over the 1 MiB limit for a {noun}; is it really a {noun}?",
            size.div_ceil(1024),
            noun = kind.noun
        ),
    )
}

/// The bytes as UTF-8 text; else `not-utf8` at the first bad byte.
pub fn decode<'a>(path: &Path, bytes: &'a [u8]) -> Result<&'a str, Diagnostic> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(e) => {
            let good = &bytes[..e.valid_up_to()];
            let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
            let line_start = good.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            // The prefix is valid UTF-8 by construction, so this never falls back.
            let col = std::str::from_utf8(&good[line_start..]).map_or(1, |s| s.chars().count() + 1);
            Err(Diagnostic::error(
                path,
                line,
                col,
                "not-utf8",
                format!(
                    "The file is not UTF-8 text: byte 0x{:02X} here is not a valid character.",
                    bytes[e.valid_up_to()]
                ),
            )
            .with_hint("save the file as UTF-8 in your editor (\"Save with encoding\")"))
        }
    }
}

/// A document read by [`read`]: its tree, for positions, and its value, for serde.
pub struct Document {
    pub tree: Tree,
    pub value: Value,
}

/// Reads the text of one file (a byte-order mark already removed) as one YAML document;
/// text over [`MAX_FILE_BYTES`] is refused unread.
/// Every problem the YAML itself has is a diagnostic: a syntax error (a tab at the tab),
/// nesting past [`MAX_DEPTH`], an alias bomb and an empty file stop the reading; a
/// repeated key is reported and the document still read, the first one kept.
pub fn read(path: &Path, text: &str, kind: &FileKind) -> (Option<Document>, Vec<Diagnostic>) {
    if text.len() as u64 > MAX_FILE_BYTES {
        return (None, vec![too_large(path, text.len() as u64, kind)]);
    }
    let tree = match Tree::parse(text) {
        Ok(tree) => tree,
        Err(e) => return (None, vec![syntax_diagnostic(path, text, kind, e)]),
    };
    if tree.is_empty() {
        let d = Diagnostic::error(
            path,
            1,
            1,
            "empty-file",
            format!(
                "The file has no {} in it: it is empty or only comments.",
                kind.noun
            ),
        )
        .with_hint(kind.start);
        return (None, vec![d]);
    }
    let mut diags: Vec<Diagnostic> = tree
        .duplicates
        .iter()
        .map(|dup| {
            Diagnostic::error(
                path,
                dup.pos.line,
                dup.pos.col,
                "duplicate-id",
                format!(
                    "`{}` appears twice in the same map; only the first (line {}) is used.",
                    dup.key, dup.first.line
                ),
            )
            .with_hint("rename or remove one of them")
        })
        .collect();
    match tree.to_value() {
        Ok(value) => (Some(Document { tree, value }), diags),
        Err(e) => {
            diags.push(syntax_diagnostic(path, text, kind, e));
            (None, diags)
        }
    }
}

fn syntax_diagnostic(path: &Path, text: &str, kind: &FileKind, e: SyntaxError) -> Diagnostic {
    let hint = if e.message.contains("mapping values are not allowed") {
        "text that contains `: ` must be put in quotes, like \"Note: ...\""
    } else if e.message.contains("tab") {
        "YAML indents with spaces, not tabs"
    } else if e.message.contains("did not find expected") || e.message.contains("indentation") {
        "check the indentation of this line and the one before: use spaces, and line up keys of one map"
    } else {
        kind.docs
    };
    // The parser reports a tab where the scalar before it ended, often the line above,
    // or just past an indenting tab: point at the tab itself, the first one at or after
    // that place, else the last one before it on its line.
    let (line, col) = if e.message.contains("tab") {
        first_tab_from(text, e.pos.line, e.pos.col)
            .or_else(|| last_tab_before(text, e.pos.line, e.pos.col))
            .unwrap_or((e.pos.line, e.pos.col))
    } else {
        (e.pos.line, e.pos.col)
    };
    Diagnostic::error(
        path,
        line,
        col,
        "yaml-syntax",
        format!("The YAML is malformed: {}.", e.message),
    )
    .with_hint(hint)
}

/// 1-based (line, column in characters) of the last tab before (line, col) on its line.
fn last_tab_before(text: &str, line: usize, col: usize) -> Option<(usize, usize)> {
    let l = text.lines().nth(line.checked_sub(1)?)?;
    l.chars()
        .take(col.saturating_sub(1))
        .enumerate()
        .filter(|&(_, c)| c == '\t')
        .last()
        .map(|(k, _)| (line, k + 1))
}

/// 1-based (line, column in characters) of the first tab at or after (line, col).
fn first_tab_from(text: &str, line: usize, col: usize) -> Option<(usize, usize)> {
    text.lines()
        .enumerate()
        .skip(line.saturating_sub(1))
        .find_map(|(i, l)| {
            let skip = if i + 1 == line {
                col.saturating_sub(1)
            } else {
                0
            };
            l.chars()
                .enumerate()
                .skip(skip)
                .find(|&(_, c)| c == '\t')
                .map(|(k, _)| (i + 1, k + 1))
        })
}

/// YAML 1.2 core schema resolution of an unquoted scalar, as serde_yaml does it. Accepts
/// a leading `+` on numbers so a mood change can be written `+15`.
fn resolve_plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Number(f64::INFINITY.into())
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Number(f64::NEG_INFINITY.into()),
        ".nan" | ".NaN" | ".NAN" => return Value::Number(f64::NAN.into()),
        _ => {}
    }
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let negative = text.starts_with('-');
    if !unsigned.is_empty() && unsigned.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(n) = text.trim_start_matches('+').parse::<i64>() {
            return Value::Number(n.into());
        }
        if let (false, Ok(n)) = (negative, unsigned.parse::<u64>()) {
            return Value::Number(n.into());
        }
    }
    let radix = |prefix: &str, radix: u32| {
        text.strip_prefix(prefix)
            .filter(|d| !d.is_empty())
            .and_then(|d| i64::from_str_radix(d, radix).ok())
    };
    if let Some(n) = radix("0x", 16).or_else(|| radix("0o", 8)) {
        return Value::Number(Number::from(n));
    }
    if looks_like_float(unsigned) {
        if let Ok(f) = text.parse::<f64>() {
            return Value::Number(f.into());
        }
    }
    Value::String(text.to_string())
}

/// `1.5`, `.5`, `1.`, `1e3`, `1.5E-3`: the core schema's float shape (Rust's parser alone
/// would also take `inf` and `NaN`, which YAML reads as text).
fn looks_like_float(s: &str) -> bool {
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let digits = mantissa.bytes().filter(u8::is_ascii_digit).count();
    let dots = mantissa.bytes().filter(|&b| b == b'.').count();
    let mantissa_ok = digits > 0 && dots <= 1 && digits + dots == mantissa.len();
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit())
    });
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str) -> Seg {
        Seg::Key(k.into())
    }

    #[test]
    fn positions_of_keys_and_values() {
        let tree = Tree::parse("a: 1\nnodes:\n  x:\n    goto: [p, q]\n").unwrap();
        assert_eq!(tree.locate(&[key("a")]), Pos { line: 1, col: 4 });
        assert_eq!(
            tree.locate_key(&[key("nodes"), key("x")]),
            Pos { line: 3, col: 3 }
        );
        let q = [key("nodes"), key("x"), key("goto"), Seg::Index(1)];
        assert_eq!(tree.locate(&q), Pos { line: 4, col: 15 });
        // A missing key points at the deepest key that exists.
        assert_eq!(
            tree.locate(&[key("nodes"), key("x"), key("say")]),
            Pos { line: 3, col: 3 }
        );
        // An empty value (marked where the next line starts) is found at its key.
        let tree = Tree::parse("a:\nb: 1\n").unwrap();
        assert_eq!(tree.locate(&[key("a")]), Pos { line: 1, col: 1 });
    }

    #[test]
    fn repeated_keys_are_reported_and_the_first_kept() {
        let tree = Tree::parse("a: 1\nb: 2\na: 3\n").unwrap();
        assert_eq!(tree.duplicates.len(), 1);
        assert_eq!(tree.duplicates[0].pos, Pos { line: 3, col: 1 });
        assert_eq!(tree.duplicates[0].first, Pos { line: 1, col: 1 });
        let value = tree.to_value().unwrap();
        assert_eq!(value["a"], Value::Number(1.into()));
    }

    #[test]
    fn scalars_resolve_like_the_core_schema() {
        assert_eq!(resolve_plain("+15"), Value::Number(15.into()));
        assert_eq!(resolve_plain("-7"), Value::Number((-7).into()));
        assert_eq!(resolve_plain("1.5"), Value::Number(1.5.into()));
        assert_eq!(resolve_plain("~"), Value::Null);
        assert_eq!(resolve_plain("yes"), Value::String("yes".into()));
        assert_eq!(resolve_plain("inf"), Value::String("inf".into()));
        assert_eq!(resolve_plain("1.2.3"), Value::String("1.2.3".into()));
        assert_eq!(resolve_plain("0x1F"), Value::Number(31.into()));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = "[".repeat(100_000);
        let err = Tree::parse(&text).unwrap_err();
        assert_eq!(err.pos.line, 1);
        assert!(err.message.contains("nested"), "{}", err.message);
    }

    #[test]
    fn alias_bombs_stop_at_the_budget() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = format!("*a{}", i - 1);
            let items = [prev.as_str(); 10].join(", ");
            text.push_str(&format!("a{i}: &a{i} [{items}]\n"));
        }
        let tree = Tree::parse(&text).unwrap();
        let err = tree.to_value().unwrap_err();
        assert!(err.message.contains("alias"), "{}", err.message);
    }

    fn read_one(text: &str) -> Vec<Diagnostic> {
        let kind = FileKind {
            noun: "thing",
            start: "start",
            docs: "docs",
        };
        read(Path::new("f.yaml"), text, &kind).1
    }

    #[test]
    fn read_reports_yaml_problems_as_diagnostics() {
        let at = |d: &Diagnostic| (d.line, d.column, d.code.clone());
        // A tab is reported at the tab, whether the parser stops before or after it.
        let d = read_one("a: 1\nb:\n\t- x\n");
        assert_eq!(at(&d[0]), (3, 1, "yaml-syntax".into()));
        let d = read_one("a:\n  b: x\t\n  c:\td\n");
        assert!(d.iter().all(|d| d.line >= 2), "{d:?}");
        let d = read_one("a: 1\nb: 2\na: 3\n");
        assert_eq!(at(&d[0]), (3, 1, "duplicate-id".into()));
        let d = read_one("# nothing\n");
        assert_eq!(at(&d[0]), (1, 1, "empty-file".into()));
        let d = read_one(&"[".repeat(100));
        assert!(d[0].message.contains("nested"), "{d:?}");
    }

    #[test]
    fn a_recursive_alias_is_refused() {
        assert!(Tree::parse("a: &x [*x]\n").is_err());
    }
}
