//! Writing a generated section into a shared Markdown file between two markers, leaving every
//! other byte of the file as it was (docs/benchmarks.md also holds another tool's section).

use std::path::Path;

use crate::error::LoadSimError;

/// Replaces the text between `begin` and `end` with `body`. A missing file is created with
/// `heading`; a file without the markers gets the section appended.
pub fn write_section(
    path: &Path,
    heading: &str,
    begin: &str,
    end: &str,
    body: &str,
) -> Result<(), LoadSimError> {
    let current = match std::fs::read_to_string(path) {
        Ok(text) => Some(text),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => None,
        Err(err) => return Err(LoadSimError::file(path, err)),
    };
    let updated = with_section(current.as_deref(), heading, begin, end, body)?;

    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| LoadSimError::file(dir, e))?;
    }
    std::fs::write(path, updated).map_err(|e| LoadSimError::file(path, e))
}

/// The file's new text: pure, so the marker rules are tested without a file system.
pub fn with_section(
    current: Option<&str>,
    heading: &str,
    begin: &str,
    end: &str,
    body: &str,
) -> Result<String, LoadSimError> {
    let section = format!("{begin}\n{}\n{end}", body.trim_end());
    let Some(text) = current else {
        return Ok(format!("{heading}\n\n{section}\n"));
    };

    match (text.find(begin), text.find(end)) {
        (Some(start), Some(stop)) if start < stop => {
            let after = stop + end.len();
            Ok(format!("{}{section}{}", &text[..start], &text[after..]))
        }
        (None, None) => {
            let separator = if text.ends_with('\n') { "\n" } else { "\n\n" };
            Ok(format!("{text}{separator}{section}\n"))
        }
        _ => Err(LoadSimError::Usage(format!(
            "the markers {begin} and {end} are damaged; fix them by hand, then run again"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const B: &str = "<!-- x:begin -->";
    const E: &str = "<!-- x:end -->";

    #[test]
    fn a_missing_file_gets_the_heading_and_the_section() {
        let text = with_section(None, "# Benchmarks", B, E, "hello\n").expect("text");

        assert_eq!(
            text,
            "# Benchmarks\n\n<!-- x:begin -->\nhello\n<!-- x:end -->\n"
        );
    }

    #[test]
    fn only_the_text_between_the_markers_changes() {
        let before = "# B\n\nother tool\n<!-- y:begin -->\nkeep\n<!-- y:end -->\n\n\
                      <!-- x:begin -->\nold\n<!-- x:end -->\ntail\n";

        let after = with_section(Some(before), "# B", B, E, "new").expect("text");

        assert_eq!(
            after,
            before.replace("<!-- x:begin -->\nold\n", "<!-- x:begin -->\nnew\n")
        );
    }

    #[test]
    fn a_file_without_markers_gets_the_section_appended() {
        let after = with_section(Some("# B\n\nother\n"), "# B", B, E, "new").expect("text");

        assert_eq!(
            after,
            "# B\n\nother\n\n<!-- x:begin -->\nnew\n<!-- x:end -->\n"
        );
    }

    #[test]
    fn damaged_markers_are_refused() {
        let damaged = "<!-- x:end -->\n<!-- x:begin -->\n";

        assert!(with_section(Some(damaged), "# B", B, E, "new").is_err());
    }
}
