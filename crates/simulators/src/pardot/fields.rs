//! The `fields` parameter: which fields each object has, dot notation into related objects
//! (`prospect.email` on list memberships), and projecting a record onto the requested fields
//! (every requested key present, `null` when unset).

use serde_json::{Map, Value};

use crate::pardot::errors::PardotError;

/// The Pardot objects the simulator serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ObjectKind {
    Account,
    List,
    Membership,
    Prospect,
    CustomField,
    Folder,
    ExternalActivity,
}

const AUDIT: [&str; 4] = ["createdAt", "updatedAt", "createdById", "updatedById"];

const ACCOUNT: &[&str] = &[
    "id",
    "company",
    "level",
    "website",
    "vanityDomain",
    "pluginCampaignId",
    "addressOne",
    "addressTwo",
    "city",
    "state",
    "zip",
    "territory",
    "country",
    "phone",
    "fax",
    "adminId",
    "maximumDailyApiCalls",
    "apiCallsUsed",
];
const LIST: &[&str] = &[
    "id",
    "name",
    "title",
    "description",
    "isPublic",
    "isDynamic",
    "folderId",
    "campaignId",
    "isDeleted",
];
const MEMBERSHIP: &[&str] = &["id", "listId", "prospectId", "optedOut", "isDeleted"];
const CUSTOM_FIELD: &[&str] = &[
    "id",
    "fieldId",
    "name",
    "type",
    "isRequired",
    "isRecordMultipleResponses",
    "isUseValues",
    "salesforceId",
    "apiFieldId",
];
const FOLDER: &[&str] = &["id", "name", "parentFolderId", "path", "usePermissions"];
const EXTERNAL_ACTIVITY: &[&str] = &[
    "id",
    "extensionId",
    "extension",
    "typeId",
    "type",
    "value",
    "prospectId",
    "activityDate",
];

/// Standard prospect fields (a subset of Pardot's ~80 that covers what clients use).
pub(crate) const PROSPECT: &[&str] = &[
    "id",
    "email",
    "firstName",
    "lastName",
    "salutation",
    "company",
    "jobTitle",
    "website",
    "phone",
    "fax",
    "addressOne",
    "addressTwo",
    "city",
    "state",
    "zip",
    "country",
    "territory",
    "industry",
    "department",
    "source",
    "comments",
    "notes",
    "score",
    "grade",
    "optedOut",
    "isDoNotEmail",
    "isDoNotCall",
    "isDeleted",
    "isReviewed",
    "isStarred",
    "campaignId",
    "assignedToId",
    "salesforceId",
    "salesforceLeadId",
    "salesforceContactId",
    "lastActivityAt",
    "recentInteraction",
];

/// Prospect fields a create or PATCH may not set.
pub(crate) const PROSPECT_READ_ONLY: &[&str] = &[
    "id",
    "isDeleted",
    "createdAt",
    "updatedAt",
    "createdById",
    "updatedById",
    "lastActivityAt",
    "score",
    "grade",
    "recentInteraction",
    "salesforceId",
];

impl ObjectKind {
    fn standard(self) -> &'static [&'static str] {
        match self {
            Self::Account => ACCOUNT,
            Self::List => LIST,
            Self::Membership => MEMBERSHIP,
            Self::Prospect => PROSPECT,
            Self::CustomField => CUSTOM_FIELD,
            Self::Folder => FOLDER,
            Self::ExternalActivity => EXTERNAL_ACTIVITY,
        }
    }

    /// Related objects reachable with dot notation.
    fn relations(self) -> &'static [(&'static str, ObjectKind)] {
        match self {
            Self::Membership => &[("prospect", Self::Prospect), ("list", Self::List)],
            Self::List => &[("folder", Self::Folder)],
            _ => &[],
        }
    }

    /// True when `name` is a field of this object (custom keys count for prospects).
    pub(crate) fn has_field(self, name: &str, custom_keys: &[String]) -> bool {
        self.standard().contains(&name)
            || (AUDIT.contains(&name) && self != Self::Account)
            || (self == Self::Prospect && custom_keys.iter().any(|k| k == name))
            || (self == Self::Account && (name == "createdAt" || name == "updatedAt"))
    }
}

/// A parsed `fields` parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldSelection {
    /// The parameter as sent, echoed in `nextPageUrl`.
    pub(crate) raw: String,
    /// Fields of the object itself, in request order.
    pub(crate) top: Vec<String>,
    /// Relation name, its object kind, and the fields asked of it.
    pub(crate) nested: Vec<(String, ObjectKind, Vec<String>)>,
}

impl FieldSelection {
    /// A selection given in code (create responses without `fields`).
    pub(crate) fn of(fields: &[&str]) -> Self {
        Self {
            raw: fields.join(","),
            top: fields.iter().map(|f| (*f).to_owned()).collect(),
            nested: Vec::new(),
        }
    }
}

/// Parses and checks `fields` for `kind`: missing or empty → 13, unknown → 51.
pub(crate) fn parse_fields(
    raw: Option<&str>,
    kind: ObjectKind,
    custom_keys: &[String],
) -> Result<FieldSelection, PardotError> {
    let raw = raw.map(str::trim).unwrap_or_default();
    let names: Vec<&str> = raw
        .split(',')
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .collect();
    if names.is_empty() {
        return Err(PardotError::missing_fields());
    }

    let mut selection = FieldSelection {
        raw: names.join(","),
        top: Vec::new(),
        nested: Vec::new(),
    };
    for name in names {
        match name.split_once('.') {
            None => {
                if !kind.has_field(name, custom_keys) {
                    return Err(PardotError::unknown_field(name));
                }
                if !selection.top.iter().any(|f| f == name) {
                    selection.top.push(name.to_owned());
                }
            }
            Some((relation, field)) => {
                let Some((_, related)) = kind.relations().iter().find(|(r, _)| *r == relation)
                else {
                    return Err(PardotError::unknown_field(name));
                };
                if field.contains('.') || !related.has_field(field, custom_keys) {
                    return Err(PardotError::unknown_field(name));
                }
                let slot = match selection.nested.iter_mut().find(|(r, _, _)| r == relation) {
                    Some(slot) => slot,
                    None => {
                        selection
                            .nested
                            .push((relation.to_owned(), *related, Vec::new()));
                        let last = selection.nested.len() - 1;
                        &mut selection.nested[last]
                    }
                };
                if !slot.2.iter().any(|f| f == field) {
                    slot.2.push(field.to_owned());
                }
            }
        }
    }
    Ok(selection)
}

/// The requested keys of a full record; unset ones are `null`.
pub(crate) fn project(full: &Map<String, Value>, fields: &[String]) -> Map<String, Value> {
    fields
        .iter()
        .map(|f| (f.clone(), full.get(f).cloned().unwrap_or(Value::Null)))
        .collect()
}

/// Renders a record: the requested top-level keys plus one nested object per requested
/// relation (`null` when `related` finds nothing readable).
pub(crate) fn render(
    full: &Map<String, Value>,
    selection: &FieldSelection,
    related: impl Fn(&str) -> Option<Map<String, Value>>,
) -> Value {
    let mut out = project(full, &selection.top);
    for (relation, _, fields) in &selection.nested {
        let nested = related(relation).map_or(Value::Null, |m| Value::Object(project(&m, fields)));
        out.insert(relation.clone(), nested);
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_prospect_fields_are_grouped() {
        let custom = vec!["streamboxyLink__c".to_owned()];
        let sel = parse_fields(
            Some("id,prospect.email,prospect.streamboxyLink__c,listId,prospect.email"),
            ObjectKind::Membership,
            &custom,
        )
        .unwrap();

        assert_eq!(sel.top, vec!["id", "listId"]);
        assert_eq!(sel.nested.len(), 1);
        assert_eq!(sel.nested[0].0, "prospect");
        assert_eq!(sel.nested[0].2, vec!["email", "streamboxyLink__c"]);
    }

    #[test]
    fn unknown_and_missing_fields_get_their_codes() {
        let none: Vec<String> = Vec::new();
        let err = parse_fields(Some("id,bogus"), ObjectKind::List, &none).unwrap_err();
        assert_eq!(err.code, 51);
        assert!(err.message.contains("bogus"));
        assert_eq!(
            parse_fields(None, ObjectKind::List, &none)
                .unwrap_err()
                .code,
            13
        );
        assert_eq!(
            parse_fields(Some(" , "), ObjectKind::List, &none)
                .unwrap_err()
                .code,
            13
        );
        let deep = parse_fields(Some("prospect.list.name"), ObjectKind::Membership, &none);
        assert_eq!(deep.unwrap_err().code, 51);
        let custom = parse_fields(Some("hobby__c"), ObjectKind::Prospect, &none);
        assert_eq!(custom.unwrap_err().code, 51);
    }
}
