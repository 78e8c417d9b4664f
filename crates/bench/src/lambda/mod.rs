//! The Lambda binaries: which exist, how big each is for the architecture built, and (in
//! `runtime`) how long each takes from process start to its first answered event.
//!
//! Sizes come from `make build`'s zips (target/lambda/<arch>/<fn>/bootstrap.zip, the size of
//! the `bootstrap` inside, read from the zip's central directory) when they exist, else from
//! the stripped release binaries `make bench` builds for this machine.

pub mod runtime;

use std::path::{Path, PathBuf};

use serde::Serialize;

/// One Lambda binary's size.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BinarySize {
    pub function: String,
    /// `arm64` or `x86_64`, from the ELF header.
    pub arch: String,
    pub bytes: u64,
    pub mib: f64,
    /// The deployment zip's size, when read from `make build`'s output.
    pub zip_bytes: Option<u64>,
    /// Where the size was read.
    pub source: String,
}

/// The function (= binary) names of every `crates/lambda-*` crate.
pub fn functions(workspace: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(workspace.join("crates")) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("lambda-"))
        .filter_map(|e| std::fs::read_to_string(e.path().join("Cargo.toml")).ok())
        .filter_map(|manifest| bin_name(&manifest))
        .collect();
    names.sort();
    names
}

/// The `name` of the manifest's first `[[bin]]`.
fn bin_name(manifest: &str) -> Option<String> {
    let after = manifest.split("[[bin]]").nth(1)?;
    after
        .lines()
        .map(str::trim)
        .find_map(|line| line.strip_prefix("name"))
        .and_then(|rest| rest.trim().strip_prefix('='))
        .map(|value| value.trim().trim_matches('"').to_owned())
}

/// Sizes of every function: from the zips when `make build` made them, else from `bin_dir`.
pub fn sizes(workspace: &Path, target: &Path, bin_dir: Option<&Path>) -> Vec<BinarySize> {
    let built_arch = std::fs::read_to_string(target.join("lambda/ARCH"))
        .ok()
        .map(|a| a.trim().to_owned());
    functions(workspace)
        .into_iter()
        .filter_map(|function| {
            let zip = built_arch
                .as_ref()
                .map(|arch| target.join(format!("lambda/{arch}/{function}/bootstrap.zip")));
            zip.filter(|z| z.is_file())
                .and_then(|z| from_zip(&function, &z))
                .or_else(|| from_binary(&function, &bin_dir?.join(&function)))
        })
        .collect()
}

fn from_binary(function: &str, path: &PathBuf) -> Option<BinarySize> {
    let bytes = std::fs::read(path).ok()?;
    Some(BinarySize {
        function: function.to_owned(),
        arch: elf_arch(&bytes).to_owned(),
        bytes: bytes.len() as u64,
        mib: mib(bytes.len() as u64),
        zip_bytes: None,
        source: path.display().to_string(),
    })
}

fn from_zip(function: &str, path: &Path) -> Option<BinarySize> {
    let zip = std::fs::read(path).ok()?;
    let (size, offset) = zip_entry(&zip, "bootstrap")?;
    let head = zip_data(&zip, offset)?;
    Some(BinarySize {
        function: function.to_owned(),
        arch: elf_arch(head).to_owned(),
        bytes: size,
        mib: mib(size),
        zip_bytes: Some(zip.len() as u64),
        source: path.display().to_string(),
    })
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// The architecture an ELF header names.
pub fn elf_arch(bytes: &[u8]) -> &'static str {
    if bytes.get(..4) != Some(b"\x7fELF") {
        return "unknown";
    }
    match bytes.get(18..20) {
        Some([0x3e, 0x00]) => "x86_64",
        Some([0xb7, 0x00]) => "arm64",
        _ => "unknown",
    }
}

fn u16_at(bytes: &[u8], at: usize) -> Option<u64> {
    let b = bytes.get(at..at + 2)?;
    Some(u64::from(u16::from_le_bytes([b[0], b[1]])))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u64> {
    let b = bytes.get(at..at + 4)?;
    Some(u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])))
}

/// Uncompressed size and local-header offset of the entry `name`, from the central directory.
fn zip_entry(zip: &[u8], name: &str) -> Option<(u64, usize)> {
    let end = (0..zip.len().saturating_sub(21))
        .rev()
        .find(|&i| zip[i..].starts_with(b"PK\x05\x06"))?;
    let entries = u16_at(zip, end + 10)?;
    let mut at = usize::try_from(u32_at(zip, end + 16)?).ok()?;
    for _ in 0..entries {
        if !zip.get(at..)?.starts_with(b"PK\x01\x02") {
            return None;
        }
        let size = u32_at(zip, at + 24)?;
        let name_len = usize::try_from(u16_at(zip, at + 28)?).ok()?;
        let extra_len = usize::try_from(u16_at(zip, at + 30)?).ok()?;
        let comment_len = usize::try_from(u16_at(zip, at + 32)?).ok()?;
        let offset = usize::try_from(u32_at(zip, at + 42)?).ok()?;
        if zip.get(at + 46..at + 46 + name_len)? == name.as_bytes() {
            return Some((size, offset));
        }
        at += 46 + name_len + extra_len + comment_len;
    }
    None
}

/// The first bytes of a stored entry's data (enough for an ELF header when stored, or the
/// compressed stream's first bytes otherwise, which then read as "unknown").
fn zip_data(zip: &[u8], local: usize) -> Option<&[u8]> {
    if !zip.get(local..)?.starts_with(b"PK\x03\x04") {
        return None;
    }
    let name_len = usize::try_from(u16_at(zip, local + 26)?).ok()?;
    let extra_len = usize::try_from(u16_at(zip, local + 28)?).ok()?;
    let data = local + 30 + name_len + extra_len;
    zip.get(data..(data + 64).min(zip.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bin_name_is_read_from_the_manifest() {
        let manifest = "[package]\nname = \"lambda-x\"\n\n[[bin]]\nname = \"x-fn\"\npath = \"a\"\n";

        assert_eq!(bin_name(manifest).as_deref(), Some("x-fn"));
    }

    #[test]
    fn the_workspace_lambdas_are_found() {
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");

        let names = functions(&workspace);

        assert!(names.contains(&"list-poller".to_owned()), "{names:?}");
        assert!(names.contains(&"sync-worker".to_owned()), "{names:?}");
    }

    #[test]
    fn elf_machines_are_named() {
        let mut header = b"\x7fELF".to_vec();
        header.resize(20, 0);
        header[18] = 0xb7;

        assert_eq!(elf_arch(&header), "arm64");
        assert_eq!(elf_arch(b"MZ"), "unknown");
    }

    #[test]
    fn a_stored_zip_entry_is_found_with_its_size() {
        // A zip with one stored (uncompressed) entry "bootstrap" holding 4 bytes.
        let data = b"\x7fELF";
        let mut zip = Vec::new();
        zip.extend_from_slice(b"PK\x03\x04");
        zip.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        zip.extend_from_slice(&4_u32.to_le_bytes());
        zip.extend_from_slice(&4_u32.to_le_bytes());
        zip.extend_from_slice(&9_u16.to_le_bytes());
        zip.extend_from_slice(&0_u16.to_le_bytes());
        zip.extend_from_slice(b"bootstrap");
        zip.extend_from_slice(data);
        let central = zip.len();
        zip.extend_from_slice(b"PK\x01\x02");
        zip.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        zip.extend_from_slice(&4_u32.to_le_bytes());
        zip.extend_from_slice(&4_u32.to_le_bytes());
        zip.extend_from_slice(&9_u16.to_le_bytes());
        zip.extend_from_slice(&[0; 12]);
        zip.extend_from_slice(&0_u32.to_le_bytes());
        zip.extend_from_slice(b"bootstrap");
        let central_len = zip.len() - central;
        zip.extend_from_slice(b"PK\x05\x06");
        zip.extend_from_slice(&[0, 0, 0, 0, 1, 0, 1, 0]);
        zip.extend_from_slice(&(central_len as u32).to_le_bytes());
        zip.extend_from_slice(&(central as u32).to_le_bytes());
        zip.extend_from_slice(&[0, 0]);

        let (size, offset) = zip_entry(&zip, "bootstrap").expect("entry");

        assert_eq!(size, 4);
        assert!(zip_data(&zip, offset).is_some_and(|head| head.starts_with(data)));
        assert_eq!(
            elf_arch(zip_data(&zip, offset).unwrap_or_default()),
            "unknown"
        );
    }
}
