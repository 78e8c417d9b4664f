//! The benchmark's own section of docs/benchmarks.md, between `<!-- bench:begin -->` and
//! `<!-- bench:end -->`. Every byte outside the markers stays as it was: the file also holds
//! the load simulation's section, written by another tool.

use std::path::Path;

use anyhow::{Context, bail};

pub const BEGIN: &str = "<!-- bench:begin -->";
pub const END: &str = "<!-- bench:end -->";
const HEADING: &str = "# Benchmarks";

/// Replaces the section in `path` with `body` (creating the file, or appending the section to
/// a file without the markers).
pub fn write_section(path: &Path, body: &str) -> anyhow::Result<()> {
    let current = match std::fs::read_to_string(path) {
        Ok(text) => Some(text),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => None,
        Err(err) => return Err(err).with_context(|| format!("reading {}", path.display())),
    };
    let updated = with_section(current.as_deref(), body)?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(path, updated).with_context(|| format!("writing {}", path.display()))
}

/// The file's new text.
pub fn with_section(current: Option<&str>, body: &str) -> anyhow::Result<String> {
    let section = format!("{BEGIN}\n{}\n{END}", body.trim_end());
    let Some(text) = current else {
        return Ok(format!("{HEADING}\n\n{section}\n"));
    };
    match (text.find(BEGIN), text.find(END)) {
        (Some(start), Some(stop)) if start < stop => {
            let after = stop + END.len();
            Ok(format!("{}{section}{}", &text[..start], &text[after..]))
        }
        (None, None) => {
            let separator = if text.ends_with('\n') { "\n" } else { "\n\n" };
            Ok(format!("{text}{separator}{section}\n"))
        }
        _ => bail!("the markers {BEGIN} and {END} in docs/benchmarks.md are damaged; fix them"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_file_gets_a_heading() {
        let text = with_section(None, "table\n").expect("text");

        assert_eq!(text, format!("# Benchmarks\n\n{BEGIN}\ntable\n{END}\n"));
    }

    #[test]
    fn only_our_section_changes() {
        let before = format!(
            "# Benchmarks\n\n<!-- loadsim:begin -->\nkeep\n<!-- loadsim:end -->\n\n\
             {BEGIN}\nold\n{END}\ntail\n"
        );

        let after = with_section(Some(&before), "new").expect("text");

        assert_eq!(
            after,
            format!(
                "# Benchmarks\n\n<!-- loadsim:begin -->\nkeep\n<!-- loadsim:end -->\n\n\
                 {BEGIN}\nnew\n{END}\ntail\n"
            )
        );
    }

    #[test]
    fn a_file_without_markers_gets_the_section_appended() {
        let after = with_section(Some("# Benchmarks\n\nother"), "new").expect("text");

        assert_eq!(
            after,
            format!("# Benchmarks\n\nother\n\n{BEGIN}\nnew\n{END}\n")
        );
    }

    #[test]
    fn damaged_markers_are_refused() {
        assert!(with_section(Some(&format!("x {END} y {BEGIN}")), "new").is_err());
        assert!(with_section(Some(&format!("x {BEGIN} y")), "new").is_err());
    }
}
