//! Reading a reply in a real terminal, keystroke by keystroke, so that `rapport play`
//! can do what the app does: hold the customer's patience while the trainee is typing,
//! and print a chase without losing the half-typed line (it is drawn again after).
//!
//! Only the terminal's line discipline changes (no canonical mode, no echo, Ctrl-C read
//! as a key that ends the conversation; output processing stays), and it is restored on
//! drop. When stdin is not
//! a terminal (a pipe, a test), `rapport play` reads whole lines instead.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::mpsc;

/// What the trainee did at the keyboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    /// The draft changed.
    Edited,
    /// Enter: the draft, now cleared.
    Line(String),
    /// Ctrl-D on an empty line, or stdin closed.
    End,
}

/// The terminal in keystroke mode, and the draft being typed.
pub struct KeyReader {
    saved: libc::termios,
    pub draft: Arc<Mutex<String>>,
    pub keys: mpsc::UnboundedReceiver<Key>,
}

impl KeyReader {
    /// Switches stdin to keystroke mode when it is a terminal; `None` otherwise.
    pub fn start() -> Option<KeyReader> {
        // SAFETY: isatty/tcgetattr/tcsetattr only read and write the termios struct we
        // own; a failure leaves the terminal as it was and we fall back to lines.
        let saved = unsafe {
            if libc::isatty(libc::STDIN_FILENO) != 1 {
                return None;
            }
            let mut t: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(libc::STDIN_FILENO, &mut t) != 0 {
                return None;
            }
            let saved = t;
            // No ISIG either: Ctrl-C ends the conversation through `Key::End`, so the
            // terminal is always restored on the way out.
            t.c_lflag &= !(libc::ICANON | libc::ECHO | libc::ISIG);
            t.c_cc[libc::VMIN] = 1;
            t.c_cc[libc::VTIME] = 0;
            if libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &t) != 0 {
                return None;
            }
            saved
        };
        let draft = Arc::new(Mutex::new(String::new()));
        let (tx, keys) = mpsc::unbounded_channel();
        let shared = draft.clone();
        std::thread::spawn(move || read_keys(&shared, &tx));
        Some(KeyReader { saved, draft, keys })
    }

    /// The half-typed reply, to draw again after something was printed over it.
    pub fn draft(&self) -> String {
        self.draft
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Drop for KeyReader {
    fn drop(&mut self) {
        // SAFETY: restores the settings read in `start`.
        unsafe {
            libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &self.saved);
        }
    }
}

/// The line editor: printable text, Backspace, Enter, Ctrl-D on an empty line and Ctrl-C;
/// escape sequences (arrow keys) are skipped; UTF-8 is put together byte by byte.
#[derive(Debug, Default)]
struct Editor {
    pending: Vec<u8>,
    escape: u8,
}

impl Editor {
    /// One byte typed: the key it makes, if any, and what to echo.
    fn feed(&mut self, b: u8, draft: &mut String) -> (Option<Key>, String) {
        if self.escape > 0 {
            // ESC [ ... a final byte in 0x40..=0x7e ends the sequence.
            self.escape = if (self.escape == 1 && b == b'[') || !(0x40..=0x7e).contains(&b) {
                2
            } else {
                0
            };
            return (None, String::new());
        }
        match b {
            0x1b => {
                self.escape = 1;
                (None, String::new())
            }
            b'\r' | b'\n' => (Some(Key::Line(std::mem::take(draft))), "\n".into()),
            0x7f | 0x08 => match draft.pop() {
                Some(_) => (Some(Key::Edited), "\x08 \x08".into()),
                None => (None, String::new()),
            },
            0x03 => (Some(Key::End), String::new()),
            0x04 if draft.is_empty() => (Some(Key::End), String::new()),
            b if b < 0x20 => (None, String::new()),
            b => {
                self.pending.push(b);
                match std::str::from_utf8(&self.pending) {
                    Ok(s) => {
                        let s = s.to_string();
                        draft.push_str(&s);
                        self.pending.clear();
                        (Some(Key::Edited), s)
                    }
                    Err(e) if e.error_len().is_some() => {
                        self.pending.clear();
                        (None, String::new())
                    }
                    Err(_) => (None, String::new()),
                }
            }
        }
    }
}

/// The reader thread: bytes in, keys out through the editor, echo to the terminal.
fn read_keys(draft: &Mutex<String>, tx: &mpsc::UnboundedSender<Key>) {
    let mut stdin = std::io::stdin().lock();
    let mut editor = Editor::default();
    let mut byte = [0u8; 1];
    loop {
        if stdin.read(&mut byte).unwrap_or(0) == 0 {
            let _ = tx.send(Key::End);
            return;
        }
        let (key, echo) = {
            let mut d = draft.lock().unwrap_or_else(PoisonError::into_inner);
            editor.feed(byte[0], &mut d)
        };
        let mut out = std::io::stdout().lock();
        let _ = write!(out, "{echo}");
        let _ = out.flush();
        drop(out);
        if let Some(key) = key {
            let end = key == Key::End;
            if tx.send(key).is_err() || end {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(bytes: &[u8]) -> (Vec<Key>, String) {
        let mut e = Editor::default();
        let mut draft = String::new();
        let keys = bytes
            .iter()
            .filter_map(|&b| e.feed(b, &mut draft).0)
            .collect();
        (keys, draft)
    }

    #[test]
    fn the_editor_builds_the_draft_and_hands_over_lines() {
        let (keys, draft) = typed("ok sorry\x7f\x7f\x7fy!\r".as_bytes());
        assert_eq!(keys.last(), Some(&Key::Line("ok soy!".into())));
        assert!(draft.is_empty(), "Enter clears the draft");
        let (_, draft) = typed("désolé".as_bytes());
        assert_eq!(draft, "désolé", "UTF-8 is put together byte by byte");
    }

    #[test]
    fn arrow_keys_are_skipped_and_ctrl_keys_end() {
        let (_, draft) = typed(b"a\x1b[Db\x1b[A");
        assert_eq!(draft, "ab");
        assert_eq!(typed(b"\x04").0, [Key::End]);
        assert_eq!(
            typed(b"x\x04").0,
            [Key::Edited],
            "Ctrl-D ends only an empty line"
        );
        assert_eq!(typed(b"x\x03").0.last(), Some(&Key::End));
    }
}
