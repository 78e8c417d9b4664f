//! The `Pardot-Warning` response header: `<code>;<msg>[,<code>;<msg>]`, with `,` and `;` inside
//! messages escaped by a backslash. It is how Pardot says a page was redacted or that a page
//! chain hit its 100,000-record ceiling.

/// Text of the warning that ends a page chain at its record ceiling. Matched as text because
/// the docs number it 203 and the server sends 101.
pub const CEILING_TEXT: &str = "Record count for nextPageToken sequence has been exceeded";

/// One warning from the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PardotWarning {
    /// The numeric code, if the entry had one.
    pub code: Option<i64>,
    pub message: String,
}

impl PardotWarning {
    /// Parses one header value into its warnings. Never fails: odd input becomes a warning
    /// without a code.
    pub fn parse_header(value: &str) -> Vec<Self> {
        split_unescaped(value, ',')
            .into_iter()
            .filter(|entry| !entry.trim().is_empty())
            .map(|entry| Self::parse_entry(&entry))
            .collect()
    }

    /// True when this warning says the page chain stopped at the record ceiling.
    pub fn is_ceiling(&self) -> bool {
        self.message.contains(CEILING_TEXT)
    }

    fn parse_entry(entry: &str) -> Self {
        let parts = split_unescaped(entry, ';');
        let first = parts
            .first()
            .map(|p| unescape(p.trim()))
            .unwrap_or_default();

        match first.parse::<i64>() {
            Ok(code) if parts.len() > 1 => Self {
                code: Some(code),
                message: unescape(parts[1..].join(";").trim()),
            },
            _ => Self {
                code: None,
                message: unescape(entry.trim()),
            },
        }
    }
}

/// Splits on `separator` where it is not preceded by a backslash; escapes are kept so a
/// second split still sees them.
fn split_unescaped(value: &str, separator: char) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut chars = value.chars();

    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                current.push(c);
                if let Some(escaped) = chars.next() {
                    current.push(escaped);
                }
            }
            c if c == separator => parts.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    parts.push(current);
    parts
}

/// Drops the backslash of every escape sequence.
fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();

    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(escaped) = chars.next() {
                out.push(escaped);
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::PardotWarning;

    #[test]
    fn parses_ceiling_warning() {
        let warnings = PardotWarning::parse_header(
            "101;Record count for nextPageToken sequence has been exceeded. \
             No page token returned.",
        );

        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].code, Some(101));
        assert!(warnings[0].is_ceiling());
    }

    #[test]
    fn parses_several_entries_with_escapes() {
        let warnings = PardotWarning::parse_header(
            r"202;Record(s) have been redacted\, sorry\; really,201;Record In Recycle Bin",
        );

        assert_eq!(
            warnings,
            vec![
                PardotWarning {
                    code: Some(202),
                    message: "Record(s) have been redacted, sorry; really".to_owned(),
                },
                PardotWarning {
                    code: Some(201),
                    message: "Record In Recycle Bin".to_owned(),
                },
            ]
        );
    }

    #[test]
    fn odd_input_becomes_codeless_warning() {
        let warnings = PardotWarning::parse_header("something odd");

        assert_eq!(warnings[0].code, None);
        assert_eq!(warnings[0].message, "something odd");
        assert!(PardotWarning::parse_header("").is_empty());
    }
}
