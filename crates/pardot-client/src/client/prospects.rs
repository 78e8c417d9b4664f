//! Prospect operations (read, find by e-mail, write the link field), plus the account check,
//! custom-field definitions and external activities, which all concern the prospect record.

use chrono::{DateTime, FixedOffset};
use reqwest::Method;
use serde_json::{Map, Value};
use tracing::instrument;

use super::PardotClient;
use crate::error::PardotError;
use crate::model::fields::{check_field_name, fields_param};
use crate::model::{
    ACCOUNT_FIELDS, Account, CUSTOM_FIELD_FIELDS, CustomField, EXTERNAL_ACTIVITY_FIELDS,
    ExternalActivity, PROSPECT_FIELDS, Prospect, RecordedActivity, filter_timestamp,
};
use crate::paging::Pager;

/// Codes that, naming the field, mean "no such field": 154 invalid property, 51 invalid
/// parameter.
const UNKNOWN_FIELD_CODES: [i64; 2] = [154, 51];
/// Code for "field is not writable".
const READ_ONLY_FIELD: i64 = 180;
/// Code for "record is deleted and can't be updated".
const IN_RECYCLE_BIN: i64 = 219;

impl PardotClient {
    /// Reads one prospect with the identity fields plus `fields`.
    #[instrument(skip(self, fields))]
    pub async fn read_prospect<S: AsRef<str>>(
        &self,
        id: i64,
        fields: &[S],
    ) -> Result<Prospect, PardotError> {
        let fields = fields_param(&PROSPECT_FIELDS, "", fields)?;
        let mut url = self.object_url(&format!("prospects/{id}"));
        url.query_pairs_mut().append_pair("fields", &fields);

        self.execute(Method::GET, url, None).await?.json()
    }

    /// All prospects with this e-mail (several when the BU allows duplicate e-mails).
    #[instrument(skip_all)]
    pub async fn query_prospects_by_email<S: AsRef<str>>(
        &self,
        email: &str,
        fields: &[S],
    ) -> Result<Vec<Prospect>, PardotError> {
        let fields = fields_param(&PROSPECT_FIELDS, "", fields)?;
        let mut url = self.object_url("prospects");
        url.query_pairs_mut()
            .append_pair("fields", &fields)
            .append_pair("email", email)
            .append_pair("orderBy", "id ASC")
            .append_pair("limit", &self.page_size(None).to_string());

        let mut pager = Pager::<Prospect>::new(self.clone(), url);
        let mut prospects = Vec::new();
        while let Some(page) = pager.next_page().await? {
            prospects.extend(page.values);
        }
        Ok(prospects)
    }

    /// Writes `value` into one prospect field (`firstName`-style or `<fieldId>__c`), leaving
    /// the others unchanged. Pardot answers 200 or 204; both are success.
    #[instrument(skip(self, value))]
    pub async fn update_prospect_field(
        &self,
        id: i64,
        field_name: &str,
        value: &str,
    ) -> Result<(), PardotError> {
        check_field_name(field_name)?;
        let url = self.object_url(&format!("prospects/{id}"));
        let mut body = Map::new();
        body.insert(field_name.to_owned(), Value::String(value.to_owned()));

        match self
            .execute(Method::PATCH, url, Some(&Value::Object(body)))
            .await
        {
            Ok(_) => Ok(()),
            Err(err) => Err(field_error(err, id, field_name)),
        }
    }

    /// Reads the account singleton: the cheapest proof that token, BU ID and host match.
    #[instrument(skip(self))]
    pub async fn account(&self) -> Result<Account, PardotError> {
        let mut url = self.object_url("account");
        url.query_pairs_mut().append_pair("fields", ACCOUNT_FIELDS);

        self.execute(Method::GET, url, None).await?.json()
    }

    /// Pages through the custom prospect field definitions.
    pub fn query_custom_fields(&self) -> Pager<CustomField> {
        let mut url = self.object_url("custom-fields");
        url.query_pairs_mut()
            .append_pair("fields", CUSTOM_FIELD_FIELDS)
            .append_pair("orderBy", "id ASC")
            .append_pair("limit", &self.page_size(None).to_string());

        Pager::new(self.clone(), url)
    }

    /// Records an external activity on the prospect with that e-mail. Refused client-side if
    /// `value` exceeds 100 characters.
    #[instrument(
        skip_all,
        fields(extension = %activity.extension, activity_type = %activity.activity_type)
    )]
    pub async fn create_external_activity(
        &self,
        activity: &ExternalActivity,
    ) -> Result<(), PardotError> {
        let body =
            serde_json::to_value(activity.body()?).map_err(|err| PardotError::InvalidRequest {
                reason: format!("external activity not serializable: {err}"),
            })?;
        let url = self.api_url("external-activities");

        self.execute(Method::POST, url, Some(&body)).await.map(drop)
    }

    /// Pages through the external activities Pardot recorded at or after `created_from`
    /// (`createdAtAfterOrEqualTo`, the filter Pardot documents for this object), by id. A
    /// create whose answer was lost is confirmed or ruled out here before it is sent again.
    pub fn query_external_activities(
        &self,
        created_from: &DateTime<FixedOffset>,
    ) -> Pager<RecordedActivity> {
        let mut url = self.api_url("external-activities");
        url.query_pairs_mut()
            .append_pair("fields", EXTERNAL_ACTIVITY_FIELDS)
            .append_pair("createdAtAfterOrEqualTo", &filter_timestamp(created_from))
            .append_pair("orderBy", "id ASC")
            .append_pair("limit", &self.page_size(None).to_string());

        Pager::new(self.clone(), url)
    }
}

/// Turns the field-related codes of a prospect update into specific errors.
fn field_error(err: PardotError, prospect_id: i64, field: &str) -> PardotError {
    match err {
        PardotError::Api { code, .. } if code == IN_RECYCLE_BIN => {
            PardotError::ProspectInRecycleBin { prospect_id }
        }
        PardotError::Api {
            code, ref message, ..
        } if UNKNOWN_FIELD_CODES.contains(&code) && message.contains(field) => {
            PardotError::UnknownField {
                field: field.to_owned(),
            }
        }
        PardotError::Api {
            code, ref message, ..
        } if code == READ_ONLY_FIELD && message.contains(field) => PardotError::FieldNotWritable {
            field: field.to_owned(),
        },
        other => other,
    }
}
