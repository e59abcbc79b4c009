//! A small reader for WKT, the text of `.prj` files.
//!
//! WKT is a tree of `KEYWORD[value, value, …]` (or with parentheses) where a
//! value is a quoted text, a number, a bare word (`EAST`, `Cartesian`) or
//! another node. One reader serves ESRI and OGC WKT1 (`PROJCS`, `GEOGCS`,
//! `AUTHORITY`, `UNIT`) and WKT2 (`PROJCRS`, `BASEGEOGCRS`, `CONVERSION`,
//! `METHOD`, `ID`, `LENGTHUNIT`, `ANGLEUNIT`); what the keywords mean is left
//! to [`super::recognise`]. A `.prj` is user input: the reader never panics,
//! bounds its nesting, and says where it stopped.

/// Deeper than any CRS definition (WKT2 needs about 6 levels); a bound keeps
/// a hostile file from exhausting the stack.
const MAX_DEPTH: usize = 32;

/// One `KEYWORD[…]` node.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub keyword: String,
    pub values: Vec<Value>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Number(f64),
    Word(String),
    Node(Node),
}

/// Where the text stopped being WKT, and what was expected there.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{expected} attendu au caractère {position}")]
pub struct SyntaxError {
    /// 1-based, in characters.
    pub position: usize,
    pub expected: &'static str,
}

/// Reads one WKT node. Blanks, a byte-order mark and anything after the
/// closing bracket are ignored.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = Reader { text, pos: 0 };
    reader.skip_blanks();
    let keyword = reader.identifier();
    if keyword.is_empty() {
        return Err(reader.error("mot-clé WKT (PROJCS, GEOGCS, PROJCRS…)"));
    }
    reader.node(keyword, 0)
}

struct Reader<'a> {
    text: &'a str,
    /// Byte offset; only ever moved over ASCII or whole characters.
    pos: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn error(&self, expected: &'static str) -> SyntaxError {
        SyntaxError { position: self.text[..self.pos].chars().count() + 1, expected }
    }

    fn skip_blanks(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.pos += 1;
        }
    }

    fn identifier(&mut self) -> String {
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_') {
            self.pos += 1;
        }
        self.text[start..self.pos].to_string()
    }

    /// The rest of a node whose keyword has been read.
    fn node(&mut self, keyword: String, depth: usize) -> Result<Node, SyntaxError> {
        if depth >= MAX_DEPTH {
            return Err(self.error("une imbrication moins profonde"));
        }
        self.skip_blanks();
        if !matches!(self.peek(), Some(b'[' | b'(')) {
            return Err(self.error("« [ »"));
        }
        self.pos += 1;
        let mut values = Vec::new();
        loop {
            self.skip_blanks();
            if matches!(self.peek(), Some(b']' | b')')) && values.is_empty() {
                self.pos += 1;
                return Ok(Node { keyword, values });
            }
            values.push(self.value(depth)?);
            self.skip_blanks();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']' | b')') => {
                    self.pos += 1;
                    return Ok(Node { keyword, values });
                }
                _ => return Err(self.error("« , » ou « ] »")),
            }
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, SyntaxError> {
        match self.peek() {
            Some(b'"') => self.text_value().map(Value::Text),
            Some(b'0'..=b'9' | b'-' | b'+' | b'.') => self.number().map(Value::Number),
            Some(b) if b.is_ascii_alphabetic() || b == b'_' => {
                let word = self.identifier();
                self.skip_blanks();
                if matches!(self.peek(), Some(b'[' | b'(')) {
                    self.node(word, depth + 1).map(Value::Node)
                } else {
                    Ok(Value::Word(word))
                }
            }
            _ => Err(self.error("un texte, un nombre ou un mot-clé")),
        }
    }

    /// A quoted text; `""` inside stands for one quote (WKT2).
    fn text_value(&mut self) -> Result<String, SyntaxError> {
        let mut out = String::new();
        self.pos += 1;
        loop {
            let Some(len) = self.text[self.pos..].find('"') else {
                return Err(self.error("« \" » fermant"));
            };
            out.push_str(&self.text[self.pos..self.pos + len]);
            self.pos += len + 1;
            if self.peek() == Some(b'"') {
                out.push('"');
                self.pos += 1;
            } else {
                return Ok(out);
            }
        }
    }

    fn number(&mut self) -> Result<f64, SyntaxError> {
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E')) {
            self.pos += 1;
        }
        self.text[start..self.pos]
            .parse()
            .map_err(|_| SyntaxError { position: self.text[..start].chars().count() + 1, expected: "un nombre" })
    }
}

impl Node {
    /// Whether the keyword is one of these (WKT keywords ignore case).
    pub fn is(&self, keywords: &[&str]) -> bool {
        keywords.iter().any(|k| self.keyword.eq_ignore_ascii_case(k))
    }

    /// The first quoted text: the name of a CRS, datum, unit, parameter…
    pub fn name(&self) -> Option<&str> {
        self.values.iter().find_map(|v| match v {
            Value::Text(t) => Some(t.as_str()),
            _ => None,
        })
    }

    /// The name, or the keyword when there is none, for messages.
    pub fn title(&self) -> &str {
        self.name().unwrap_or(&self.keyword)
    }

    /// The `index`-th number among the values.
    pub fn number(&self, index: usize) -> Option<f64> {
        self.values
            .iter()
            .filter_map(|v| match v {
                Value::Number(n) => Some(*n),
                _ => None,
            })
            .nth(index)
    }

    /// The first bare word (`Cartesian` in `CS[Cartesian,2]`).
    pub fn word(&self) -> Option<&str> {
        self.values.iter().find_map(|v| match v {
            Value::Word(w) => Some(w.as_str()),
            _ => None,
        })
    }

    pub fn nodes(&self) -> impl Iterator<Item = &Node> {
        self.values.iter().filter_map(|v| match v {
            Value::Node(n) => Some(n),
            _ => None,
        })
    }

    pub fn children<'a>(&'a self, keywords: &'a [&str]) -> impl Iterator<Item = &'a Node> {
        self.nodes().filter(move |n| n.is(keywords))
    }

    pub fn child(&self, keywords: &[&str]) -> Option<&Node> {
        self.nodes().find(|n| n.is(keywords))
    }

    /// The EPSG code of this node itself: `AUTHORITY["EPSG","2154"]` (WKT1)
    /// or `ID["EPSG",2154]` (WKT2) among its direct children.
    pub fn epsg(&self) -> Option<u32> {
        let id =
            self.children(&["AUTHORITY", "ID"]).find(|n| n.name().is_some_and(|a| a.eq_ignore_ascii_case("EPSG")))?;
        match id.values.get(1)? {
            Value::Number(code) if code.fract() == 0.0 && (1.0..=f64::from(u32::MAX)).contains(code) => {
                Some(*code as u32)
            }
            Value::Text(code) => code.trim().parse().ok(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_texts_numbers_words_and_nodes() {
        let node = parse(r#"  AXIS["Easting",EAST, 1.5e3, -2, ID["EPSG", 9001], CS(Cartesian,2)] trailing"#).unwrap();
        assert_eq!(node.keyword, "AXIS");
        assert_eq!(node.name(), Some("Easting"));
        assert_eq!(node.word(), Some("EAST"));
        assert_eq!((node.number(0), node.number(1)), (Some(1500.0), Some(-2.0)));
        assert_eq!(node.epsg(), Some(9001));
        let cs = node.child(&["cs"]).unwrap();
        assert_eq!((cs.word(), cs.number(0)), (Some("Cartesian"), Some(2.0)));
    }

    #[test]
    fn doubled_quotes_are_one_quote_and_accents_survive() {
        let node = parse("\u{feff}AREA[\"Réunion \"\"île\"\"\"]").unwrap();
        assert_eq!(node.name(), Some("Réunion \"île\""));
    }

    #[test]
    fn says_where_the_text_stops_being_wkt() {
        assert_eq!(parse("not a crs").unwrap_err().position, 5);
        assert_eq!(parse(r#"GEOGCS["x",UNIT["degree",0.01745]"#).unwrap_err().expected, "« , » ou « ] »");
        assert_eq!(parse(r#"GEOGCS["x"#).unwrap_err().expected, "« \" » fermant");
        assert_eq!(parse("GEOGCS[1.2.3]").unwrap_err().expected, "un nombre");
        assert!(parse("").is_err());
        assert!(parse("GEOGCS[,]").is_err());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let deep = format!("{}{}", "A[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(parse(&deep).unwrap_err().expected, "une imbrication moins profonde");
    }

    #[test]
    fn only_integral_epsg_codes_are_codes() {
        assert_eq!(parse(r#"X[AUTHORITY["EPSG","2154"]]"#).unwrap().epsg(), Some(2154));
        assert_eq!(parse(r#"X[ID["EPSG",2154.5]]"#).unwrap().epsg(), None);
        assert_eq!(parse(r#"X[ID["ESRI",102100]]"#).unwrap().epsg(), None);
    }
}
