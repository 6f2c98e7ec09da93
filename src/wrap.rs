//! Wrapping `rapport play`'s output at word boundaries: a terminal wraps long lines
//! mid-word, which reads badly in a conversation.

/// The width to wrap at: `COLUMNS`, else the terminal's, else 80 (a pipe, a test),
/// kept between 40 and 120 so prose stays readable.
pub fn width() -> usize {
    let from_env = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok());
    from_env
        .or_else(terminal_columns)
        .unwrap_or(80)
        .clamp(40, 120)
}

fn terminal_columns() -> Option<usize> {
    let mut ws = libc::winsize {
        ws_row: 0,
        ws_col: 0,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCGWINSZ only writes a `winsize` into the struct we pass, and fails
    // harmlessly (returning -1) when stdout is not a terminal.
    let ok = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut ws) } == 0;
    (ok && ws.ws_col > 0).then_some(usize::from(ws.ws_col))
}

/// `text` as lines of at most `width` characters, broken between words: the first line
/// starts with `first` (e.g. "Dana: "), the others with `rest` (spaces that line them
/// up). A word longer than a line stands on its own line, unbroken. Line breaks in
/// `text` are kept.
pub fn wrap(text: &str, width: usize, first: &str, rest: &str) -> String {
    let mut out = String::new();
    let mut prefix = first;
    for (n, paragraph) in text.split('\n').enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let mut line = String::from(prefix);
        let mut len = prefix.chars().count();
        let mut empty = true;
        for word in paragraph.split_whitespace() {
            let w = word.chars().count();
            if !empty && len + 1 + w > width {
                out.push_str(line.trim_end());
                out.push('\n');
                prefix = rest;
                line = String::from(prefix);
                len = prefix.chars().count();
                empty = true;
            }
            if !empty {
                line.push(' ');
                len += 1;
            }
            line.push_str(word);
            len += w;
            empty = false;
        }
        out.push_str(line.trim_end());
        prefix = rest;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 12: `rapport play` used to let the terminal cut words in half.
    #[test]
    fn lines_break_between_words_and_line_up_under_the_speaker() {
        let text = "Right. This is the fourth time I'm calling about this. You took $54.99 out of my account twice.";
        let out = wrap(text, 40, "Dana: ", "      ");
        for line in out.lines() {
            assert!(line.chars().count() <= 40, "{line:?}");
        }
        assert_eq!(
            out,
            "Dana: Right. This is the fourth time I'm\n      calling about this. You took\n      $54.99 out of my account twice."
        );
        let words: Vec<&str> = out.split_whitespace().filter(|w| *w != "Dana:").collect();
        assert_eq!(
            words,
            text.split_whitespace().collect::<Vec<_>>(),
            "no word is cut"
        );
    }

    #[test]
    fn a_word_longer_than_the_line_stands_alone_and_breaks_are_kept() {
        let out = wrap(
            "see https://example.com/a/very/long/path ok\nnext",
            20,
            "",
            "  ",
        );
        assert_eq!(
            out,
            "see\n  https://example.com/a/very/long/path\n  ok\n  next"
        );
        assert_eq!(
            wrap("déjà vu é", 8, "", ""),
            "déjà vu\né",
            "counts characters, not bytes"
        );
    }
}
