//! Diagnostics: what the loader and validator tell a trainer about a file.
//!
//! A diagnostic always says where (file, 1-based line and column) and what (a stable code
//! and a plain-language message), and usually how to fix it (the hint). Loading collects
//! every diagnostic of a file rather than stopping at the first.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The file cannot be played until this is fixed.
    Error,
    /// The file plays, but probably not as the trainer meant.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// One problem in one file. Serialises to the `rapport validate --format json` shape:
/// `{file, line, column, severity, code, message, hint}`.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub file: PathBuf,
    /// 1-based; 0 only when the problem is with the file as a whole (unreadable, too big).
    pub line: usize,
    /// 1-based, counted in characters.
    pub column: usize,
    pub severity: Severity,
    /// Stable, kebab-case (`unknown-target`, `yaml-syntax`, ...): safe to grep and to document.
    pub code: String,
    pub message: String,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(
        file: &Path,
        line: usize,
        column: usize,
        code: &str,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            file: file.to_path_buf(),
            line,
            column,
            severity: Severity::Error,
            code: code.to_string(),
            message: message.into(),
            hint: None,
        }
    }

    pub fn warning(
        file: &Path,
        line: usize,
        column: usize,
        code: &str,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(file, line, column, code, message)
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// `path:line:col: severity[code]: message`, then `  hint: ...` on its own line.
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}[{}]: {}",
            self.file.display(),
            self.line,
            self.column,
            self.severity,
            self.code,
            self.message
        )?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// The closest candidate to `wrong` by edit distance, if close enough to be a likely typo.
pub fn suggest<'a>(wrong: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let wrong_lower = wrong.to_lowercase();
    candidates
        .into_iter()
        .map(|c| {
            (
                strsim::damerau_levenshtein(&wrong_lower, &c.to_lowercase()),
                c,
            )
        })
        .filter(|(d, c)| *d <= (c.chars().count().max(wrong.chars().count()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let names = ["calm_down", "escalate", "resolved"];
        assert_eq!(suggest("clam_down", names), Some("calm_down"));
        assert_eq!(suggest("resolvd", names), Some("resolved"));
        assert_eq!(suggest("banana", names), None);
    }

    #[test]
    fn displays_in_compiler_style_with_hint() {
        let d = Diagnostic::error(Path::new("a.yaml"), 3, 9, "unknown-target", "no node `x`")
            .with_hint("did you mean `y`?");
        assert_eq!(
            d.to_string(),
            "a.yaml:3:9: error[unknown-target]: no node `x`\n  hint: did you mean `y`?"
        );
    }
}
