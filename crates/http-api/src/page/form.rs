//! The settings form: what a browser posts, turned into the API's `SettingsInput`, and the
//! form rendered back with the API's refusals next to their fields. A refused field gets
//! `aria-invalid` and names its message with `aria-describedby`, so a screen reader reads the
//! fix when the field gets focus.

use sbxy_domain::settings::{PardotEnvironment, SettingsInput};
use serde::Deserialize;

use super::html::escape;
use super::i18n::Text;

/// The posted settings form. Unchecked checkboxes are absent, as browsers send them.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct SettingsForm {
    pub(crate) csrf: Option<String>,
    pub(crate) lang: Option<String>,
    environment: Option<String>,
    sync_enabled: Option<String>,
    attendance_lists_enabled: Option<String>,
    external_activities_enabled: Option<String>,
    business_unit_id: Option<String>,
    link_field: Option<String>,
    list_name_property: Option<String>,
    attendance_state_property: Option<String>,
    show_list_pattern: Option<String>,
    no_show_list_pattern: Option<String>,
    external_activity_extension: Option<String>,
    external_activity_show_type: Option<String>,
    external_activity_no_show_type: Option<String>,
}

impl SettingsForm {
    /// The settings as the API takes them. Text is passed on as typed: the API's rules decide
    /// what an empty field means, exactly as for a JSON client.
    pub(crate) fn input(&self, environment: PardotEnvironment) -> SettingsInput {
        SettingsInput {
            sync_enabled: self.sync_enabled.is_some(),
            attendance_lists_enabled: self.attendance_lists_enabled.is_some(),
            external_activities_enabled: self.external_activities_enabled.is_some(),
            business_unit_id: self.business_unit_id.clone(),
            link_field: self.link_field.clone(),
            environment: self
                .environment
                .as_deref()
                .and_then(parse_environment)
                .unwrap_or(environment),
            list_name_property: self.list_name_property.clone(),
            attendance_state_property: self.attendance_state_property.clone(),
            show_list_pattern: self.show_list_pattern.clone(),
            no_show_list_pattern: self.no_show_list_pattern.clone(),
            external_activity_extension: self.external_activity_extension.clone(),
            external_activity_show_type: self.external_activity_show_type.clone(),
            external_activity_no_show_type: self.external_activity_no_show_type.clone(),
        }
    }
}

/// The environments a connect can choose, in the order the page offers them.
pub(crate) const ENVIRONMENTS: [PardotEnvironment; 3] = [
    PardotEnvironment::Production,
    PardotEnvironment::Sandbox,
    PardotEnvironment::Developer,
];

/// The environment named `raw` (the API's names).
pub(crate) fn parse_environment(raw: &str) -> Option<PardotEnvironment> {
    ENVIRONMENTS.into_iter().find(|env| env.as_str() == raw)
}

/// One refusal of the API, by the field it names.
#[derive(Debug, Clone)]
pub(crate) struct FieldMessage {
    pub(crate) field: &'static str,
    pub(crate) message: String,
}

/// The form's fields that the page shows, so a refusal of any other field (the environment)
/// is shown in the summary only.
pub(crate) fn is_shown(field: &str) -> bool {
    TEXT_FIELDS.iter().any(|(name, _)| *name == field)
        || [
            "sync_enabled",
            "attendance_lists_enabled",
            "external_activities_enabled",
        ]
        .contains(&field)
}

/// A field's label in the page's language.
type Label = fn(&Text) -> &'static str;

const TEXT_FIELDS: [(&str, Label); 9] = [
    ("business_unit_id", |t| t.business_unit_id),
    ("link_field", |t| t.link_field),
    ("list_name_property", |t| t.list_name_property),
    ("attendance_state_property", |t| t.attendance_state_property),
    ("show_list_pattern", |t| t.show_list_pattern),
    ("no_show_list_pattern", |t| t.no_show_list_pattern),
    ("external_activity_extension", |t| {
        t.external_activity_extension
    }),
    ("external_activity_show_type", |t| {
        t.external_activity_show_type
    }),
    ("external_activity_no_show_type", |t| {
        t.external_activity_no_show_type
    }),
];

/// The settings form, filled with `values` and marked with `problems`.
pub(crate) fn render(
    text: &Text,
    hidden: &str,
    action: &str,
    values: &SettingsInput,
    problems: &[FieldMessage],
) -> String {
    let error = |field: &str| {
        problems
            .iter()
            .filter(|p| p.field == field)
            .map(|p| p.message.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let value_of = |field: &str| -> &str {
        let value = match field {
            "business_unit_id" => &values.business_unit_id,
            "link_field" => &values.link_field,
            "list_name_property" => &values.list_name_property,
            "attendance_state_property" => &values.attendance_state_property,
            "show_list_pattern" => &values.show_list_pattern,
            "no_show_list_pattern" => &values.no_show_list_pattern,
            "external_activity_extension" => &values.external_activity_extension,
            "external_activity_show_type" => &values.external_activity_show_type,
            _ => &values.external_activity_no_show_type,
        };
        value.as_deref().unwrap_or_default()
    };

    let checkboxes = [
        ("sync_enabled", text.sync_enabled, values.sync_enabled, None),
        (
            "attendance_lists_enabled",
            text.attendance_lists_enabled,
            values.attendance_lists_enabled,
            Some(text.requires_sync_hint),
        ),
        (
            "external_activities_enabled",
            text.external_activities_enabled,
            values.external_activities_enabled,
            Some(text.requires_sync_hint),
        ),
    ]
    .iter()
    .enumerate()
    .map(|(i, (name, label, checked, hint))| {
        checkbox(
            name,
            &format!("{}. {label}", i + 1),
            *checked,
            *hint,
            &error(name),
        )
    })
    .collect::<String>();

    let text_field = |(name, label): &(&str, Label), hint| {
        text_input(name, label(text), value_of(name), hint, &error(name))
    };
    let main_fields: String = TEXT_FIELDS[..2]
        .iter()
        .zip([Some(text.business_unit_id_hint), Some(text.link_field_hint)])
        .map(|(field, hint)| text_field(field, hint))
        .collect();
    let advanced: String = TEXT_FIELDS[2..]
        .iter()
        .map(|field| text_field(field, None))
        .collect();
    // A refused advanced field must be visible without a click.
    let open = if problems
        .iter()
        .any(|p| TEXT_FIELDS[2..].iter().any(|(name, _)| *name == p.field))
    {
        " open"
    } else {
        ""
    };

    format!(
        "<form method=\"post\" action=\"{action}\" id=\"settings\" novalidate>{hidden}\
         <input type=\"hidden\" name=\"environment\" value=\"{env}\">\
         <fieldset><legend>{heading}</legend>{checkboxes}</fieldset>{main_fields}\
         <details{open}><summary>{advanced_label}</summary>{advanced}</details>\
         <p><button type=\"submit\" id=\"save\">{save}</button></p></form>",
        action = escape(action),
        env = values.environment.as_str(),
        heading = escape(text.settings_heading),
        advanced_label = escape(text.advanced),
        save = escape(text.save),
    )
}

/// `aria-describedby` and `aria-invalid` for a field with an optional hint and error.
fn described(name: &str, hint: bool, error: &str) -> (String, String, String) {
    let mut ids = Vec::new();
    if hint {
        ids.push(format!("{name}-hint"));
    }
    let mut error_html = String::new();
    let mut invalid = "";
    if !error.is_empty() {
        ids.push(format!("{name}-error"));
        error_html = format!(
            "<p class=\"field-error\" id=\"{name}-error\">{}</p>",
            escape(error)
        );
        invalid = " aria-invalid=\"true\"";
    }
    let describedby = if ids.is_empty() {
        String::new()
    } else {
        format!(" aria-describedby=\"{}\"", ids.join(" "))
    };
    (describedby, invalid.to_owned(), error_html)
}

fn checkbox(name: &str, label: &str, checked: bool, hint: Option<&str>, error: &str) -> String {
    let (describedby, invalid, error_html) = described(name, hint.is_some(), error);
    let hint_html = hint.map_or_else(String::new, |hint| {
        format!("<p class=\"hint\" id=\"{name}-hint\">{}</p>", escape(hint))
    });
    let requires = if hint.is_some() {
        " data-requires=\"sync_enabled\""
    } else {
        ""
    };
    format!(
        "<div class=\"check\"><input type=\"checkbox\" id=\"{name}\" name=\"{name}\" \
         value=\"on\"{checked}{requires}{describedby}{invalid}> <label for=\"{name}\">{label}\
         </label>{hint_html}{error_html}</div>",
        checked = if checked { " checked" } else { "" },
        label = escape(label),
    )
}

fn text_input(name: &str, label: &str, value: &str, hint: Option<&str>, error: &str) -> String {
    let (describedby, invalid, error_html) = described(name, hint.is_some(), error);
    let hint_html = hint.map_or_else(String::new, |hint| {
        format!("<p class=\"hint\" id=\"{name}-hint\">{}</p>", escape(hint))
    });
    format!(
        "<div class=\"field\"><label for=\"{name}\">{label}</label><input type=\"text\" \
         id=\"{name}\" name=\"{name}\" value=\"{value}\" autocomplete=\"off\" \
         spellcheck=\"false\"{describedby}{invalid}>{hint_html}{error_html}</div>",
        label = escape(label),
        value = escape(value),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::i18n::text;
    use sbxy_domain::locale::Language;

    #[test]
    fn a_refused_field_names_its_message_and_is_invalid() {
        let values = SettingsInput {
            business_unit_id: Some("\"><script>x</script>".into()),
            ..SettingsInput::default()
        };
        let problems = [FieldMessage {
            field: "business_unit_id",
            message: "starts with 0Uv".into(),
        }];

        let html = render(text(Language::En), "", "/save", &values, &problems);

        assert!(html.contains(
            "aria-describedby=\"business_unit_id-hint business_unit_id-error\" \
             aria-invalid=\"true\""
        ));
        assert!(html.contains("<p class=\"field-error\" id=\"business_unit_id-error\">"));
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&quot;&gt;&lt;script&gt;"));
    }

    #[test]
    fn checkboxes_arrive_as_present_or_absent() {
        let form = SettingsForm {
            sync_enabled: Some("on".into()),
            environment: Some("sandbox".into()),
            ..SettingsForm::default()
        };

        let input = form.input(PardotEnvironment::Production);

        assert!(input.sync_enabled);
        assert!(!input.attendance_lists_enabled);
        assert_eq!(input.environment, PardotEnvironment::Sandbox);
    }
}
