//! The two event custom properties the integration reads and writes, their definitions in a
//! tenant, and the values of the attendance processing state.
//!
//! Their internal names are not publicly documented, so they are settings with the vendor's
//! names as defaults; the values are plain strings on the wire.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::model::Event;

/// A custom property as the tenant defines it (`GET /tenant/{t}/CustomPropertyDefinition`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PropertyDefinition {
    /// The key under `customProperties`; labels shown in the Backstage may differ.
    pub internal_name: String,

    /// `STRING`, `NUMBER`, `BOOLEAN`, `DATE` or `DROPDOWN` as far as known; kept verbatim.
    #[serde(default)]
    pub data_type: Option<String>,

    /// `Event`, `User` or both; kept verbatim.
    #[serde(default)]
    pub target: Option<String>,

    /// Only visible properties appear in the Backstage's event settings.
    #[serde(default = "visible_by_default")]
    pub visible: bool,
}

fn visible_by_default() -> bool {
    true
}

/// The internal names of the integration's event properties in one tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PropertyNames {
    /// Holds the exact name of the Pardot list linked to the event.
    pub list_name: String,

    /// Holds the [`ProcessingState`] of the Show / No Show write-back.
    pub processing_state: String,
}

impl Default for PropertyNames {
    fn default() -> Self {
        Self {
            list_name: "PardotListName".to_owned(),
            processing_state: "PardotIntegrationAttendanceProcessingState".to_owned(),
        }
    }
}

impl PropertyNames {
    /// The names not defined in the tenant, so setup can say which one to add. Matching is
    /// exact, because writes use these names verbatim.
    pub fn missing_from<'a>(&'a self, definitions: &[PropertyDefinition]) -> Vec<&'a str> {
        [self.list_name.as_str(), self.processing_state.as_str()]
            .into_iter()
            .filter(|name| !definitions.iter().any(|def| def.internal_name == *name))
            .collect()
    }

    /// The event's linked list name, trimmed; `None` when unset or blank.
    pub fn list_name_of<'e>(&self, event: &'e Event) -> Option<&'e str> {
        let name = event.property_str(&self.list_name)?.trim();
        (!name.is_empty()).then_some(name)
    }

    /// The event's processing state; unset (or deleted) means `None`, which the product
    /// treats like `Pending`.
    pub fn processing_state_of(&self, event: &Event) -> Option<ProcessingState> {
        event
            .property_str(&self.processing_state)
            .map(ProcessingState::parse)
    }
}

/// Progress of the Show / No Show write-back for one event.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ProcessingState {
    /// Waiting to run; an admin sets this to run the write-back again.
    Pending,
    Processing,
    Success,
    Failed,
    /// A value someone typed by hand; kept so it can be reported.
    Other(String),
}

impl ProcessingState {
    /// Reads a property value, ignoring case and surrounding spaces; never fails.
    pub fn parse(text: &str) -> Self {
        let known = [Self::Pending, Self::Processing, Self::Success, Self::Failed];

        known
            .into_iter()
            .find(|state| state.as_str().eq_ignore_ascii_case(text.trim()))
            .unwrap_or_else(|| Self::Other(text.to_owned()))
    }

    /// The value written to the property.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Pending => "Pending",
            Self::Processing => "Processing",
            Self::Success => "Success",
            Self::Failed => "Failed",
            Self::Other(text) => text,
        }
    }
}

impl fmt::Display for ProcessingState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(props: serde_json::Value) -> Event {
        serde_json::from_value(json!({"id": "e", "state": "Live", "customProperties": props}))
            .expect("test event decodes")
    }

    #[test]
    fn reads_the_integration_properties_of_an_event() {
        let names = PropertyNames::default();
        let linked = event(json!({
            "PardotListName": "  SBXY Partner Summit ",
            "PardotIntegrationAttendanceProcessingState": "success"
        }));
        let blank = event(json!({"PardotListName": "   "}));

        assert_eq!(names.list_name_of(&linked), Some("SBXY Partner Summit"));
        assert_eq!(
            names.processing_state_of(&linked),
            Some(ProcessingState::Success)
        );
        assert_eq!(names.list_name_of(&blank), None);
        assert_eq!(names.processing_state_of(&blank), None);
    }

    #[test]
    fn reports_which_definitions_are_missing() {
        let names = PropertyNames::default();
        let defs: Vec<PropertyDefinition> = serde_json::from_value(json!([
            {"internalName": "PardotListName", "dataType": "STRING", "target": "Event"},
            {"internalName": "stageTrack", "visible": false}
        ]))
        .expect("definitions decode");

        assert!(defs[0].visible && !defs[1].visible);
        assert_eq!(
            names.missing_from(&defs),
            vec!["PardotIntegrationAttendanceProcessingState"]
        );
    }

    #[test]
    fn unknown_processing_values_are_kept() {
        assert_eq!(ProcessingState::parse(" Pending"), ProcessingState::Pending);
        assert_eq!(
            ProcessingState::parse("Later"),
            ProcessingState::Other("Later".into())
        );
        assert_eq!(ProcessingState::Failed.to_string(), "Failed");
    }
}
