//! The two text formats of an import upload: the `multipart/form-data` body (RFC 7578) and
//! the CSV file inside it (RFC 4180, quoted values, CRLF or LF line ends).

use axum::body::Bytes;
use axum::http::{HeaderMap, header};

use crate::pardot::errors::PardotError;

/// One part of a multipart body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Part {
    pub(crate) name: String,
    pub(crate) content: String,
}

/// The parts of a `multipart/form-data` request; any other content type is code 151.
pub(crate) fn multipart_parts(headers: &HeaderMap, body: &Bytes) -> Result<Vec<Part>, PardotError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let boundary = content_type
        .split(';')
        .map(str::trim)
        .find_map(|p| p.strip_prefix("boundary="))
        .map(|b| b.trim_matches('"'))
        .filter(|_| {
            content_type
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        })
        .ok_or_else(PardotError::unsupported_content_type)?;
    let text = std::str::from_utf8(body).map_err(|_| PardotError::invalid_json())?;

    let delimiter = format!("--{boundary}");
    let mut parts = Vec::new();
    for chunk in text.split(delimiter.as_str()).skip(1) {
        if chunk.starts_with("--") {
            break;
        }
        let chunk = chunk.strip_prefix("\r\n").unwrap_or(chunk);
        let Some((head, content)) = chunk.split_once("\r\n\r\n") else {
            continue;
        };
        let name = head
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))
            .and_then(|l| {
                l.split(';')
                    .map(str::trim)
                    .find_map(|p| p.strip_prefix("name="))
            })
            .map(|n| n.trim_matches('"').to_owned())
            .unwrap_or_default();
        let content = content.strip_suffix("\r\n").unwrap_or(content).to_owned();
        parts.push(Part { name, content });
    }
    if parts.is_empty() {
        return Err(PardotError::empty_body());
    }
    Ok(parts)
}

/// The rows of a CSV text, each a list of values; quotes may span commas and line breaks.
pub(crate) fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut value = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();

    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                value.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => value.push(c),
            (false, '"') if value.is_empty() => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut value)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut value));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => value.push(c),
        }
    }
    if !value.is_empty() || !row.is_empty() {
        row.push(value);
        rows.push(row);
    }
    rows.retain(|r| !(r.len() == 1 && r[0].is_empty()));
    rows
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn csv_handles_quotes_commas_and_line_ends() {
        let rows = csv_rows("matchId,a\r\n1,\"x,\"\"y\"\"\"\n2,plain\r\n\r\n");

        assert_eq!(
            rows,
            vec![
                vec!["matchId".to_owned(), "a".to_owned()],
                vec!["1".to_owned(), "x,\"y\"".to_owned()],
                vec!["2".to_owned(), "plain".to_owned()],
            ]
        );
    }

    #[test]
    fn multipart_parts_are_split_by_the_boundary() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("multipart/form-data; boundary=XY"),
        );
        let body = Bytes::from(
            "--XY\r\nContent-Disposition: form-data; name=\"input\"\r\n\r\n{}\r\n\
             --XY\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\
             Content-Type: text/csv\r\n\r\nmatchId\r\n1\r\n\r\n--XY--\r\n",
        );

        let parts = multipart_parts(&headers, &body).expect("parsed");

        assert_eq!(parts[0].name, "input");
        assert_eq!(parts[0].content, "{}");
        assert_eq!(parts[1].name, "file");
        assert_eq!(parts[1].content, "matchId\r\n1\r\n");
    }

    #[test]
    fn a_json_body_is_not_multipart() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );

        let err = multipart_parts(&headers, &Bytes::from("{}")).expect_err("refused");

        assert_eq!(err.code, 151);
    }
}
