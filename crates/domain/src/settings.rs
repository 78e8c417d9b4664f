//! A tenant's integration settings (the Backstage "Integrationen → Pardot" dialog) and the rules
//! that make a set of settings usable.

use serde::{Deserialize, Serialize};

use crate::ids::{BusinessUnitId, IdError};

mod messages;

/// The default internal name of the event property that names the linked Pardot list.
pub const DEFAULT_LIST_NAME_PROPERTY: &str = "PardotListName";
/// The default internal name of the event property that records the Show/No Show write-back.
pub const DEFAULT_ATTENDANCE_STATE_PROPERTY: &str = "PardotIntegrationAttendanceProcessingState";
/// The placeholder for the source list's name in the Show/No Show list patterns.
pub const LIST_PLACEHOLDER: &str = "{list}";

/// Which Salesforce and Pardot hosts a tenant's business unit lives on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PardotEnvironment {
    /// login.salesforce.com + pi.pardot.com.
    #[default]
    Production,
    /// An Account Engagement developer org: login.salesforce.com + pi.demo.pardot.com.
    Developer,
    /// A sandbox: test.salesforce.com + pi.demo.pardot.com.
    Sandbox,
}

impl PardotEnvironment {
    /// True when the business unit is served by pi.demo.pardot.com.
    pub fn uses_demo_pardot_host(self) -> bool {
        !matches!(self, Self::Production)
    }

    /// True when the OAuth login goes to test.salesforce.com.
    pub fn uses_sandbox_login(self) -> bool {
        matches!(self, Self::Sandbox)
    }

    /// The name used in the API and in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Production => "production",
            Self::Developer => "developer",
            Self::Sandbox => "sandbox",
        }
    }

    /// The real Pardot API host of the environment, as admins know it.
    pub fn pardot_host_name(self) -> &'static str {
        if self.uses_demo_pardot_host() {
            "pi.demo.pardot.com"
        } else {
            "pi.pardot.com"
        }
    }
}

/// Standard prospect fields that hold free text long enough for a URL.
const STANDARD_URL_FIELDS: [&str; 2] = ["website", "comments"];

/// The prospect field that receives each prospect's access link.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LinkField(String);

impl LinkField {
    /// Accepts a standard text field or a custom field's API name `<fieldId>__c`. Whether the
    /// custom field exists is checked against Pardot when the settings are saved.
    pub fn parse(raw: &str) -> Result<Self, SettingRule> {
        let name = raw.trim();
        let custom = name.strip_suffix("__c").is_some_and(|id| {
            id.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });

        if custom || STANDARD_URL_FIELDS.contains(&name) {
            Ok(Self(name.to_owned()))
        } else {
            Err(SettingRule::LinkFieldNotUrlCapable)
        }
    }

    /// True for `<fieldId>__c`, which must exist among the business unit's custom fields.
    pub fn is_custom(&self) -> bool {
        self.0.ends_with("__c")
    }

    /// The field's API name, as used in `fields=` and PATCH bodies.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for LinkField {
    type Error = SettingRule;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<LinkField> for String {
    fn from(value: LinkField) -> Self {
        value.0
    }
}

/// A rule a setting broke. Each names the fix, in English and German.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingRule {
    /// Checkbox 2 or 3 without checkbox 1.
    #[error("requires the prospect sync (checkbox 1) to be switched on")]
    RequiresSync,
    /// The Business Unit ID is missing while the sync is on.
    #[error("the Business Unit ID is required for the sync")]
    BusinessUnitIdRequired,
    /// The Business Unit ID is malformed.
    #[error("{0}")]
    BusinessUnitId(IdError),
    /// No link field while the sync is on.
    #[error("the Pardot field for the SSO link is required for the sync")]
    LinkFieldRequired,
    /// A field that cannot hold a URL, or that identifies the prospect.
    #[error(
        "the SSO link field must be a custom text field (<fieldId>__c) or the website field; \
         identity and e-mail fields are never overwritten"
    )]
    LinkFieldNotUrlCapable,
    /// A Show/No Show pattern without the list placeholder would give every event one list.
    #[error("the list name pattern must contain {{list}}, e.g. \"{{list}} Show\"")]
    PatternWithoutPlaceholder,
    /// External activities need their developer names.
    #[error("External Activities need the extension and both activity type developer names")]
    ExternalActivityNamesRequired,
    /// An event property name is empty.
    #[error("the event property's internal name may not be empty")]
    PropertyNameEmpty,
    /// The custom link field is not among the business unit's custom fields.
    #[error(
        "Pardot has no custom prospect field {field}; create it in Pardot (prospect fields, \
         type Text) or enter an existing field's API name"
    )]
    LinkFieldUnknown {
        /// The field as entered.
        field: String,
    },
    /// The custom link field exists but cannot hold a URL.
    #[error(
        "the Pardot field {field} is of type {kind} and cannot hold a link; choose a Text field"
    )]
    LinkFieldNotText {
        /// The field as entered.
        field: String,
        /// Pardot's type name.
        kind: String,
    },
    /// An event custom property is not defined in the tenant.
    #[error(
        "the tenant has no event custom property named {name}; define it in the Backstage \
         (custom properties of events), or enter the internal name you use"
    )]
    EventPropertyMissing {
        /// The internal name looked for.
        name: String,
    },
    /// The settings name another environment than the connection was made for.
    #[error(
        "the connection was made for the {connected} environment; keep {connected}, or connect \
         again choosing the other environment"
    )]
    EnvironmentMismatch {
        /// The connection's environment.
        connected: &'static str,
    },
    /// Pardot at the environment's host does not know the business unit (code 201).
    #[error(
        "Pardot at {host} does not know this Business Unit ID or it is inactive; check the ID \
         and the environment (production business units are on pi.pardot.com, developer and \
         sandbox ones on pi.demo.pardot.com)"
    )]
    BusinessUnitNotFound {
        /// The Pardot host asked.
        host: &'static str,
    },
    /// The connected Salesforce user may not use the business unit (code 49).
    #[error(
        "the connected Salesforce user has no access to this business unit; give the user \
         access in Account Engagement, or connect as another user"
    )]
    BusinessUnitAccessDenied,
}

/// One refused setting: which field, and which rule it broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingProblem {
    /// The settings field, as named in the API.
    pub field: &'static str,
    /// The rule it broke.
    pub rule: SettingRule,
}

/// The settings as an admin submits them, before the rules are applied.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SettingsInput {
    /// Checkbox 1: sync list members into events.
    pub sync_enabled: bool,
    /// Checkbox 2: write Show and No Show lists after an event.
    pub attendance_lists_enabled: bool,
    /// Checkbox 3: record Show and No Show as External Activities.
    pub external_activities_enabled: bool,
    /// The Pardot Business Unit ID.
    pub business_unit_id: Option<String>,
    /// The prospect field for the access link.
    pub link_field: Option<String>,
    /// Which Salesforce/Pardot hosts the business unit uses.
    pub environment: PardotEnvironment,
    /// Internal name of the list-name event property.
    pub list_name_property: Option<String>,
    /// Internal name of the attendance-state event property.
    pub attendance_state_property: Option<String>,
    /// Pattern of the Show list's name.
    pub show_list_pattern: Option<String>,
    /// Pattern of the No Show list's name.
    pub no_show_list_pattern: Option<String>,
    /// Developer name of the External Activity extension.
    pub external_activity_extension: Option<String>,
    /// Developer name of the Show activity type.
    pub external_activity_show_type: Option<String>,
    /// Developer name of the No Show activity type.
    pub external_activity_no_show_type: Option<String>,
}

/// The names under which External Activities are recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalActivityNames {
    /// Developer name of the `MarketingAppExtension`.
    pub extension: String,
    /// Developer name of the Show activity type.
    pub show_type: String,
    /// Developer name of the No Show activity type.
    pub no_show_type: String,
}

/// Settings that passed every rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantSettings {
    /// Checkbox 1.
    pub sync_enabled: bool,
    /// Checkbox 2.
    pub attendance_lists_enabled: bool,
    /// The business unit; always present when the sync is on.
    pub business_unit_id: Option<BusinessUnitId>,
    /// The access-link field; always present when the sync is on.
    pub link_field: Option<LinkField>,
    /// Which hosts to use.
    pub environment: PardotEnvironment,
    /// Internal name of the list-name event property.
    pub list_name_property: String,
    /// Internal name of the attendance-state event property.
    pub attendance_state_property: String,
    /// Pattern of the Show list's name, containing `{list}`.
    pub show_list_pattern: String,
    /// Pattern of the No Show list's name, containing `{list}`.
    pub no_show_list_pattern: String,
    /// Checkbox 3 with its names; `None` when off.
    pub external_activities: Option<ExternalActivityNames>,
}

impl TenantSettings {
    /// Applies every rule and keeps all problems, so an admin sees them at once.
    pub fn from_input(input: SettingsInput) -> Result<Self, Vec<SettingProblem>> {
        let mut problems = Vec::new();
        let mut refuse = |field, rule| problems.push(SettingProblem { field, rule });

        if input.attendance_lists_enabled && !input.sync_enabled {
            refuse("attendance_lists_enabled", SettingRule::RequiresSync);
        }
        if input.external_activities_enabled && !input.sync_enabled {
            refuse("external_activities_enabled", SettingRule::RequiresSync);
        }

        let business_unit_id = match non_empty(input.business_unit_id.as_deref()) {
            Some(raw) => BusinessUnitId::parse(raw)
                .map_err(|e| refuse("business_unit_id", SettingRule::BusinessUnitId(e)))
                .ok(),
            None if input.sync_enabled => {
                refuse("business_unit_id", SettingRule::BusinessUnitIdRequired);
                None
            }
            None => None,
        };
        let link_field = match non_empty(input.link_field.as_deref()) {
            Some(raw) => LinkField::parse(raw)
                .map_err(|rule| refuse("link_field", rule))
                .ok(),
            None if input.sync_enabled => {
                refuse("link_field", SettingRule::LinkFieldRequired);
                None
            }
            None => None,
        };

        let property = |value: Option<String>, default: &str| {
            value
                .map(|v| v.trim().to_owned())
                .unwrap_or_else(|| default.to_owned())
        };
        let list_name_property = property(input.list_name_property, DEFAULT_LIST_NAME_PROPERTY);
        let attendance_state_property = property(
            input.attendance_state_property,
            DEFAULT_ATTENDANCE_STATE_PROPERTY,
        );
        if list_name_property.is_empty() {
            refuse("list_name_property", SettingRule::PropertyNameEmpty);
        }
        if attendance_state_property.is_empty() {
            refuse("attendance_state_property", SettingRule::PropertyNameEmpty);
        }

        let show_list_pattern = property(input.show_list_pattern, "{list} Show");
        let no_show_list_pattern = property(input.no_show_list_pattern, "{list} No Show");
        if !show_list_pattern.contains(LIST_PLACEHOLDER) {
            refuse("show_list_pattern", SettingRule::PatternWithoutPlaceholder);
        }
        if !no_show_list_pattern.contains(LIST_PLACEHOLDER) {
            refuse(
                "no_show_list_pattern",
                SettingRule::PatternWithoutPlaceholder,
            );
        }

        let names = (
            non_empty(input.external_activity_extension.as_deref()),
            non_empty(input.external_activity_show_type.as_deref()),
            non_empty(input.external_activity_no_show_type.as_deref()),
        );
        let external_activities = match (input.external_activities_enabled, names) {
            (false, _) => None,
            (true, (Some(extension), Some(show), Some(no_show))) => Some(ExternalActivityNames {
                extension: extension.to_owned(),
                show_type: show.to_owned(),
                no_show_type: no_show.to_owned(),
            }),
            (true, _) => {
                refuse(
                    "external_activity_extension",
                    SettingRule::ExternalActivityNamesRequired,
                );
                None
            }
        };

        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Self {
            sync_enabled: input.sync_enabled,
            attendance_lists_enabled: input.attendance_lists_enabled,
            business_unit_id,
            link_field,
            environment: input.environment,
            list_name_property,
            attendance_state_property,
            show_list_pattern,
            no_show_list_pattern,
            external_activities,
        })
    }

    /// The name of the Show list for a source list.
    pub fn show_list_name(&self, source: &str) -> String {
        self.show_list_pattern.replace(LIST_PLACEHOLDER, source)
    }

    /// The name of the No Show list for a source list.
    pub fn no_show_list_name(&self, source: &str) -> String {
        self.no_show_list_pattern.replace(LIST_PLACEHOLDER, source)
    }
}

fn non_empty(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> SettingsInput {
        SettingsInput {
            sync_enabled: true,
            business_unit_id: Some("0Uv5e000000DEMOCAA".into()),
            link_field: Some("streamboxyLink__c".into()),
            ..SettingsInput::default()
        }
    }

    fn fields(input: SettingsInput) -> Vec<&'static str> {
        TenantSettings::from_input(input)
            .expect_err("refused")
            .into_iter()
            .map(|p| p.field)
            .collect()
    }

    #[test]
    fn valid_settings_get_the_documented_defaults() {
        let settings = TenantSettings::from_input(valid()).expect("valid");

        assert_eq!(settings.list_name_property, DEFAULT_LIST_NAME_PROPERTY);
        assert_eq!(settings.show_list_name("Webinar"), "Webinar Show");
        assert_eq!(settings.no_show_list_name("Webinar"), "Webinar No Show");
    }

    #[test]
    fn checkboxes_two_and_three_need_checkbox_one() {
        let input = SettingsInput {
            attendance_lists_enabled: true,
            external_activities_enabled: true,
            ..SettingsInput::default()
        };

        let refused = fields(input);
        assert!(refused.contains(&"attendance_lists_enabled"));
        assert!(refused.contains(&"external_activities_enabled"));
    }

    #[test]
    fn identity_fields_are_refused_as_link_fields() {
        for field in ["email", "id", "salesforceId", "firstName", "x__c__"] {
            let input = SettingsInput {
                link_field: Some(field.into()),
                ..valid()
            };
            assert_eq!(fields(input), vec!["link_field"], "{field}");
        }
        assert!(LinkField::parse("website").is_ok());
    }

    #[test]
    fn sync_needs_a_business_unit_and_a_link_field() {
        let input = SettingsInput {
            business_unit_id: None,
            link_field: None,
            ..valid()
        };

        assert_eq!(fields(input), vec!["business_unit_id", "link_field"]);
    }

    #[test]
    fn every_rule_has_a_german_text() {
        let input = SettingsInput {
            business_unit_id: Some("0Uv5e000000DEMO".into()),
            ..valid()
        };
        let problems = TenantSettings::from_input(input).expect_err("short id");

        assert!(problems[0].rule.message_de().contains("18-stellige"));
        assert!(problems[0].rule.to_string().contains("18-character"));
    }
}
