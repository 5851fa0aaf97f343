//! Tokenizer: turns expression text into tokens with byte offsets. Kept separate from the parser because JSONata's
//! lexing is context-sensitive in one place only (`/` starts a regex where an operand is expected), which the
//! parser signals through `prefix_position`.

use crate::Error;

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    Op(&'static str),
    Str(String),
    Num(f64),
    Name(String),
    /// A backtick-quoted name: always a field name, never a keyword.
    Quoted(String),
    Var(String),
    Regex(String, String),
    End,
}

#[derive(Debug, Clone)]
pub struct Token {
    pub tok: Tok,
    pub pos: usize,
}

const OPS: [&str; 35] = [
    "..", ":=", "!=", ">=", "<=", "**", "~>", "?:", "??", ".", "[", "]", "{", "}", "(", ")", ",",
    "@", "#", ";", ":", "?", "+", "-", "*", "/", "%", "|", "=", "<", ">", "^", "&", "!", "~",
];

pub struct Lexer<'a> {
    src: &'a str,
    pos: usize,
}

impl<'a> Lexer<'a> {
    pub fn new(src: &'a str) -> Self {
        Lexer { src, pos: 0 }
    }

    pub fn src(&self) -> &'a str {
        self.src
    }

    pub fn set_pos(&mut self, pos: usize) {
        self.pos = pos;
    }

    fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }

    /// Next token; `prefix_position` is true where an operand is expected (so `/` begins a regex).
    pub fn next(&mut self, prefix_position: bool) -> Result<Token, Error> {
        // skip whitespace and comments
        loop {
            let r = self.rest();
            let trimmed = r.trim_start();
            self.pos += r.len() - trimmed.len();
            if self.rest().starts_with("/*") {
                match self.rest()[2..].find("*/") {
                    Some(i) => self.pos += i + 4,
                    None => {
                        return Err(Error::new("S0106", "Comment has no closing tag").at(self.pos))
                    }
                }
            } else {
                break;
            }
        }
        let start = self.pos;
        let r = self.rest();
        let Some(c) = r.chars().next() else {
            return Ok(Token {
                tok: Tok::End,
                pos: start,
            });
        };
        if prefix_position && c == '/' {
            return self.regex(start);
        }
        if c == '"' || c == '\'' {
            return self.string(c, start);
        }
        if c.is_ascii_digit() {
            return self.number(start);
        }
        if c == '`' {
            match r[1..].find('`') {
                Some(i) => {
                    self.pos += i + 2;
                    return Ok(Token {
                        tok: Tok::Quoted(r[1..1 + i].to_string()),
                        pos: start,
                    });
                }
                None => {
                    return Err(Error::new(
                        "S0105",
                        "Quoted property name must be terminated with a backquote (`)",
                    )
                    .at(start))
                }
            }
        }
        if c == '$' && r[1..].starts_with('$') {
            self.pos += 2;
            return Ok(Token {
                tok: Tok::Var("$".into()),
                pos: start,
            });
        }
        if c == '$' {
            let name: String = r[1..].chars().take_while(|c| is_name_char(*c)).collect();
            self.pos += 1 + name.len();
            return Ok(Token {
                tok: Tok::Var(name),
                pos: start,
            });
        }
        if c == '!' && !r.starts_with("!=") {
            return Err(Error::new("S0204", "Unknown operator: \"!\"").at(start));
        }
        for op in OPS {
            if r.starts_with(op) {
                self.pos += op.len();
                return Ok(Token {
                    tok: Tok::Op(op),
                    pos: start,
                });
            }
        }
        if is_name_char(c) {
            let name: String = r.chars().take_while(|c| is_name_char(*c)).collect();
            self.pos += name.len();
            let tok = match name.as_str() {
                "and" => Tok::Op("and"),
                "or" => Tok::Op("or"),
                "in" => Tok::Op("in"),
                _ => Tok::Name(name),
            };
            return Ok(Token { tok, pos: start });
        }
        if c == 'λ' {
            self.pos += c.len_utf8();
            return Ok(Token {
                tok: Tok::Name("function".into()),
                pos: start,
            });
        }
        Err(Error::new("S0204", format!("Unknown operator: \"{c}\"")).at(start))
    }

    fn regex(&mut self, start: usize) -> Result<Token, Error> {
        let bytes = self.src.as_bytes();
        let mut i = self.pos + 1;
        let mut depth_class = false;
        while i < bytes.len() {
            let b = bytes[i];
            if b == b'\\' {
                i += 2;
                continue;
            }
            if b == b'[' {
                depth_class = true;
            } else if b == b']' {
                depth_class = false;
            } else if b == b'/' && !depth_class {
                let pattern = self.src[self.pos + 1..i].to_string();
                if pattern.is_empty() {
                    return Err(
                        Error::new("S0301", "Empty regular expressions are not allowed").at(start),
                    );
                }
                let mut j = i + 1;
                while j < bytes.len() && (bytes[j] as char).is_ascii_alphabetic() {
                    j += 1;
                }
                let flags = self.src[i + 1..j].to_string();
                self.pos = j;
                return Ok(Token {
                    tok: Tok::Regex(pattern, flags),
                    pos: start,
                });
            }
            i += 1;
        }
        Err(Error::new("S0302", "No terminating / in regular expression").at(start))
    }

    fn string(&mut self, quote: char, start: usize) -> Result<Token, Error> {
        let mut out = String::new();
        let mut chars = self.src[self.pos + 1..].char_indices();
        while let Some((i, c)) = chars.next() {
            if c == quote {
                self.pos += 1 + i + 1;
                return Ok(Token {
                    tok: Tok::Str(out),
                    pos: start,
                });
            }
            if c == '\\' {
                let Some((_, e)) = chars.next() else { break };
                match e {
                    '"' | '\\' | '/' | '\'' => out.push(e),
                    'b' => out.push('\u{8}'),
                    'f' => out.push('\u{c}'),
                    'n' => out.push('\n'),
                    'r' => out.push('\r'),
                    't' => out.push('\t'),
                    'u' => {
                        let hex: String = chars.by_ref().take(4).map(|(_, c)| c).collect();
                        let Ok(code) = u32::from_str_radix(&hex, 16) else {
                            return Err(Error::new(
                                "S0104",
                                "The escape sequence \\u must be followed by 4 hex digits",
                            )
                            .at(start));
                        };
                        if (0xD800..0xDC00).contains(&code) {
                            // surrogate pair
                            let save = chars.clone();
                            let next: String = chars.by_ref().take(6).map(|(_, c)| c).collect();
                            if let Some(lo) = next
                                .strip_prefix("\\u")
                                .and_then(|h| u32::from_str_radix(h, 16).ok())
                            {
                                let cp = 0x10000
                                    + ((code - 0xD800) << 10)
                                    + (lo.wrapping_sub(0xDC00) & 0x3FF);
                                out.push(char::from_u32(cp).unwrap_or('\u{FFFD}'));
                            } else {
                                chars = save;
                                out.push('\u{FFFD}');
                            }
                        } else {
                            out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                        }
                    }
                    _ => {
                        return Err(Error::new(
                            "S0103",
                            format!("Unsupported escape sequence: \\{e}"),
                        )
                        .at(start))
                    }
                }
            } else {
                out.push(c);
            }
        }
        Err(Error::new(
            "S0101",
            "String literal must be terminated by a matching quote",
        )
        .at(start))
    }

    fn number(&mut self, start: usize) -> Result<Token, Error> {
        let b = self.src.as_bytes();
        let mut i = self.pos;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i + 1 < b.len() && b[i] == b'.' && b[i + 1].is_ascii_digit() {
            i += 1;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
        }
        if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
            let mut j = i + 1;
            if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
                j += 1;
            }
            if j < b.len() && b[j].is_ascii_digit() {
                while j < b.len() && b[j].is_ascii_digit() {
                    j += 1;
                }
                i = j;
            }
        }
        let text = &self.src[self.pos..i];
        let n: f64 = text
            .parse()
            .map_err(|_| Error::new("S0102", format!("Number out of range: {text}")).at(start))?;
        if !n.is_finite() {
            return Err(Error::new("S0102", format!("Number out of range: {text}")).at(start));
        }
        self.pos = i;
        Ok(Token {
            tok: Tok::Num(n),
            pos: start,
        })
    }
}

fn is_name_char(c: char) -> bool {
    !(c.is_whitespace() || "[]{}().,;:?+-*/%|=<>^&!~@#$\"'`".contains(c) || c == 'λ')
}
