//! Where a JSON pointer is in the text of a document, as a line and column editors can jump to.
//!
//! `serde_json` keeps no positions (a `Value` has no spans), so [`locate`] scans the text once more, with a small
//! scanner of its own: it follows only the objects and arrays on the way to a pointer asked for, and records
//! where each value starts. It never recurses and reads each byte once, so any text, even one that is not JSON,
//! is scanned in linear time without panicking; on text that is not JSON it stops and keeps what it found.

use std::collections::{HashMap, HashSet};

/// A place in the text: a byte offset, and the 1-based line and column (in characters) editors count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    pub offset: usize,
    pub line: usize,
    pub column: usize,
}

/// Where each of `pointers` is in `text`: the start of its value (the last one, when a key appears twice, as
/// parsers keep the last); for a pointer that is not there (a missing field), the nearest enclosing value.
pub fn locate(text: &str, pointers: &[&str]) -> Vec<Location> {
    let mut wanted = HashSet::new();
    for pointer in pointers {
        let mut prefix = *pointer;
        loop {
            wanted.insert(prefix.to_owned());
            match prefix.rfind('/') {
                Some(cut) => prefix = &prefix[..cut],
                None => break,
            }
        }
    }
    let found = Scanner::new(text, &wanted).run();
    let offsets: Vec<usize> = pointers
        .iter()
        .map(|pointer| {
            let mut prefix = *pointer;
            loop {
                if let Some(&offset) = found.get(prefix) {
                    return offset;
                }
                match prefix.rfind('/') {
                    Some(cut) => prefix = &prefix[..cut],
                    None => return 0,
                }
            }
        })
        .collect();
    lines_and_columns(text, &offsets)
}

/// The line and column of each offset, in one pass over the text.
fn lines_and_columns(text: &str, offsets: &[usize]) -> Vec<Location> {
    let mut order: Vec<usize> = (0..offsets.len()).collect();
    order.sort_by_key(|&i| offsets[i]);
    let mut locations = vec![
        Location {
            offset: 0,
            line: 1,
            column: 1
        };
        offsets.len()
    ];
    let (mut line, mut column) = (1, 1);
    let mut chars = text.char_indices().peekable();
    for i in order {
        while let Some(&(at, c)) = chars.peek() {
            if at >= offsets[i] {
                break;
            }
            if c == '\n' {
                line += 1;
                column = 1;
            } else {
                column += 1;
            }
            chars.next();
        }
        locations[i] = Location {
            offset: offsets[i].min(text.len()),
            line,
            column,
        };
    }
    locations
}

/// An object or array being read: whether its pointer is on the way to one asked for, the length of the pointer
/// before it, and the index of its current item.
struct Frame {
    object: bool,
    followed: bool,
    parent_len: usize,
    index: usize,
}

struct Scanner<'t, 'w> {
    text: &'t str,
    bytes: &'t [u8],
    at: usize,
    wanted: &'w HashSet<String>,
    found: HashMap<String, usize>,
    /// The pointer of the innermost followed container.
    pointer: String,
    frames: Vec<Frame>,
}

impl<'t, 'w> Scanner<'t, 'w> {
    fn new(text: &'t str, wanted: &'w HashSet<String>) -> Self {
        Scanner {
            text,
            bytes: text.as_bytes(),
            at: 0,
            wanted,
            found: HashMap::new(),
            pointer: String::new(),
            frames: Vec::new(),
        }
    }

    /// Reads the text; returns the offset of each wanted pointer seen. `None` inside means the text is not JSON.
    fn run(mut self) -> HashMap<String, usize> {
        let _ = self.document();
        self.found
    }

    fn document(&mut self) -> Option<()> {
        // The pointer of the value about to be read, when its container is followed.
        let mut child: Option<String> = Some(String::new());
        loop {
            self.skip_space();
            let candidate = child.take().filter(|c| self.wanted.contains(c));
            if let Some(pointer) = &candidate {
                self.found.insert(pointer.clone(), self.at);
            }
            match self.peek()? {
                open @ (b'{' | b'[') => {
                    self.at += 1;
                    let parent_len = self.pointer.len();
                    let followed = candidate.is_some();
                    if let Some(pointer) = candidate {
                        self.pointer = pointer;
                    }
                    let object = open == b'{';
                    self.frames.push(Frame {
                        object,
                        followed,
                        parent_len,
                        index: 0,
                    });
                    self.skip_space();
                    let close = if object { b'}' } else { b']' };
                    if self.peek()? == close {
                        self.at += 1;
                        self.close();
                    } else {
                        child = self.member()?;
                        continue;
                    }
                }
                b'"' => {
                    self.string(false)?;
                }
                _ => self.scalar()?,
            }
            // After a value: the next member of its container, or the container's end.
            loop {
                self.skip_space();
                let Some(frame) = self.frames.last_mut() else {
                    return Some(());
                };
                let close = if frame.object { b'}' } else { b']' };
                match self.bytes.get(self.at).copied()? {
                    b',' => {
                        frame.index += 1;
                        self.at += 1;
                        self.skip_space();
                        child = self.member()?;
                        break;
                    }
                    byte if byte == close => {
                        self.at += 1;
                        self.close();
                    }
                    _ => return None,
                }
            }
        }
    }

    /// Leaves the innermost container: the pointer is its parent's again.
    fn close(&mut self) {
        if let Some(frame) = self.frames.pop() {
            self.pointer.truncate(frame.parent_len);
        }
    }

    /// Reads an object member's key and colon, or nothing for an array item; returns the item's pointer when its
    /// container is followed.
    fn member(&mut self) -> Option<Option<String>> {
        let frame = self.frames.last()?;
        let (object, followed, index) = (frame.object, frame.followed, frame.index);
        let segment = if object {
            let key = self.string(followed)?;
            self.skip_space();
            if self.peek()? != b':' {
                return None;
            }
            self.at += 1;
            key.map(|k| crate::pointer_segment(&k))
        } else {
            followed.then(|| index.to_string())
        };
        Some(
            segment
                .filter(|_| followed)
                .map(|s| format!("{}/{s}", self.pointer)),
        )
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// A number, `true`, `false` or `null`: up to the next delimiter; at least one byte.
    fn scalar(&mut self) -> Option<()> {
        let start = self.at;
        while let Some(byte) = self.peek() {
            if matches!(byte, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                break;
            }
            self.at += 1;
        }
        (self.at > start).then_some(())
    }

    /// A string starting at `"`; its decoded text when `decode`.
    fn string(&mut self, decode: bool) -> Option<Option<String>> {
        if self.peek()? != b'"' {
            return None;
        }
        self.at += 1;
        let mut text = decode.then(String::new);
        let mut run = self.at;
        loop {
            match self.peek()? {
                b'"' => {
                    if let Some(text) = &mut text {
                        text.push_str(self.text.get(run..self.at)?);
                    }
                    self.at += 1;
                    return Some(text);
                }
                b'\\' => {
                    if let Some(text) = &mut text {
                        text.push_str(self.text.get(run..self.at)?);
                    }
                    self.at += 1;
                    let escaped = self.escape()?;
                    if let Some(text) = &mut text {
                        text.push(escaped);
                    }
                    run = self.at;
                }
                _ => self.at += 1,
            }
        }
    }

    /// The character of an escape, after its `\`.
    fn escape(&mut self) -> Option<char> {
        let byte = self.peek()?;
        self.at += 1;
        Some(match byte {
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let high = self.hex4()?;
                if (0xD800..0xDC00).contains(&high)
                    && self.bytes.get(self.at..self.at + 2) == Some(b"\\u")
                {
                    self.at += 2;
                    let low = self.hex4()?;
                    let code =
                        0x10000 + ((high - 0xD800) << 10) + (low.wrapping_sub(0xDC00) & 0x3FF);
                    char::from_u32(code).unwrap_or('\u{FFFD}')
                } else {
                    char::from_u32(high).unwrap_or('\u{FFFD}')
                }
            }
            other => char::from(other),
        })
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.text.get(self.at..self.at + 4)?;
        self.at += 4;
        u32::from_str_radix(digits, 16).ok()
    }
}
