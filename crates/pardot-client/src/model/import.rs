//! The Import API's records (pardot-api.md §4.9): a CSV of prospect updates matched by id, and
//! the import job Pardot reports back. The exact paths and shapes are unverified against a real
//! business unit, which is why the sync only uses them behind `PARDOT_BULK_IMPORT`.

use serde::{Deserialize, Deserializer};
use serde_json::{Value, json};

use crate::error::PardotError;
use crate::model::fields::check_field_name;

/// Fields of an import status read.
pub(crate) const IMPORT_FIELDS: &str =
    "id,status,createdCount,updatedCount,errorCount,errorRef,isExpired";

/// The CSV column that matches a row to an existing prospect by its id.
pub const MATCH_ID_COLUMN: &str = "matchId";

/// Updates of existing prospects, matched by id; one CSV column per field. Rows whose prospect
/// does not exist are errors, never new prospects (`createOnNoMatch: false`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProspectImport {
    fields: Vec<String>,
    rows: Vec<(i64, Vec<String>)>,
}

impl ProspectImport {
    /// An empty import writing `fields` (standard names or `<fieldId>__c`).
    pub fn new<S: AsRef<str>>(fields: &[S]) -> Result<Self, PardotError> {
        let mut names = Vec::with_capacity(fields.len());
        for field in fields {
            check_field_name(field.as_ref())?;
            names.push(field.as_ref().to_owned());
        }
        if names.is_empty() {
            return Err(PardotError::InvalidRequest {
                reason: "an import needs at least one field to write".to_owned(),
            });
        }
        Ok(Self {
            fields: names,
            rows: Vec::new(),
        })
    }

    /// Adds one prospect's values, in the order of the fields.
    pub fn push(&mut self, prospect_id: i64, values: Vec<String>) -> Result<(), PardotError> {
        if values.len() != self.fields.len() {
            return Err(PardotError::InvalidRequest {
                reason: format!(
                    "import row for prospect {prospect_id} has {} values for {} fields",
                    values.len(),
                    self.fields.len()
                ),
            });
        }
        self.rows.push((prospect_id, values));
        Ok(())
    }

    /// Rows so far.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True before the first row.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The CSV file: a header row (`matchId` and the fields), then one row per prospect, every
    /// value quoted where RFC 4180 needs it.
    pub fn csv(&self) -> String {
        let mut out = String::with_capacity(64 * (self.rows.len() + 1));
        out.push_str(MATCH_ID_COLUMN);
        for field in &self.fields {
            out.push(',');
            out.push_str(field);
        }
        out.push_str("\r\n");
        for (id, values) in &self.rows {
            out.push_str(&id.to_string());
            for value in values {
                out.push(',');
                push_csv_value(&mut out, value);
            }
            out.push_str("\r\n");
        }
        out
    }

    /// The JSON `input` part: update prospects, never create, start at once.
    pub(crate) fn input(&self) -> Value {
        json!({
            "operation": "Upsert",
            "object": "Prospect",
            "createOnNoMatch": false,
            "status": "Ready",
        })
    }
}

fn push_csv_value(out: &mut String, value: &str) {
    if value.contains([',', '"', '\r', '\n']) {
        out.push('"');
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(value);
    }
}

/// Where an import job stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportState {
    /// Created, still accepting batches.
    Open,
    /// Waiting for Pardot to start it.
    Ready,
    /// Being applied.
    Processing,
    /// Applied; the counts are final.
    Complete,
    /// A state this client does not know; treated as "not finished".
    Other(String),
}

impl<'de> Deserialize<'de> for ImportState {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Ok(match text.to_ascii_lowercase().as_str() {
            "open" => Self::Open,
            "ready" => Self::Ready,
            "processing" => Self::Processing,
            "complete" | "completed" => Self::Complete,
            _ => Self::Other(text),
        })
    }
}

/// An import job as Pardot reports it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Import {
    pub id: i64,
    pub status: ImportState,
    #[serde(default)]
    pub created_count: Option<u64>,
    #[serde(default)]
    pub updated_count: Option<u64>,
    #[serde(default)]
    pub error_count: Option<u64>,
    /// Where Pardot keeps the rows that failed (unverified shape; logged, never fetched).
    #[serde(default)]
    pub error_ref: Option<String>,
    /// True once Pardot dropped the job's data.
    #[serde(default)]
    pub is_expired: Option<bool>,
}

impl Import {
    /// True once the counts are final.
    pub fn is_complete(&self) -> bool {
        self.status == ImportState::Complete
    }

    /// True when every row was applied: complete and no error counted.
    pub fn applied_cleanly(&self) -> bool {
        self.is_complete() && self.error_count.unwrap_or(0) == 0 && self.is_expired != Some(true)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn csv_has_the_match_column_and_quotes_what_needs_it() {
        let mut import = ProspectImport::new(&["link__c"]).unwrap();
        import
            .push(7, vec!["https://x.example/j?a=1".to_owned()])
            .unwrap();
        import.push(8, vec!["a,\"b\"".to_owned()]).unwrap();

        assert_eq!(
            import.csv(),
            "matchId,link__c\r\n7,https://x.example/j?a=1\r\n8,\"a,\"\"b\"\"\"\r\n"
        );
        assert_eq!(import.len(), 2);
    }

    #[test]
    fn odd_field_names_and_short_rows_are_refused() {
        assert!(ProspectImport::new(&["a,b"]).is_err());
        assert!(ProspectImport::new::<&str>(&[]).is_err());
        let mut import = ProspectImport::new(&["a", "b"]).unwrap();
        assert!(import.push(1, vec!["x".to_owned()]).is_err());
    }

    #[test]
    fn states_decode_case_insensitively_and_unknown_ones_are_kept() {
        let import: Import =
            serde_json::from_str(r#"{"id":3,"status":"Complete","errorCount":0}"#).unwrap();
        assert!(import.applied_cleanly());

        let import: Import = serde_json::from_str(r#"{"id":3,"status":"Waiting"}"#).unwrap();
        assert_eq!(import.status, ImportState::Other("Waiting".to_owned()));
        assert!(!import.is_complete());

        let import: Import =
            serde_json::from_str(r#"{"id":3,"status":"complete","errorCount":2}"#).unwrap();
        assert!(import.is_complete() && !import.applied_cleanly());
    }
}
