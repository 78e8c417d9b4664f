//! List and list-membership operations: the member query the sync pages through, finding and
//! creating lists, and adding, opting out or removing members.

use reqwest::Method;
use serde::Deserialize;
use serde_json::json;
use tracing::instrument;

use super::PardotClient;
use crate::error::PardotError;
use crate::model::fields::fields_param;
use crate::model::{
    CREATED_LIST_FIELDS, LIST_FIELDS, ListMembership, ListQuery, MEMBERSHIP_FIELDS,
    MembershipCreated, MembershipQuery, PardotList, filter_timestamp,
};
use crate::paging::Pager;

/// Pardot's code for "prospect already on that list".
const ALREADY_MEMBER: i64 = 58;

#[derive(Deserialize)]
struct CreatedId {
    id: i64,
}

impl PardotClient {
    /// Pages through list memberships with the prospect's id, e-mail, names and any extra
    /// `prospect_fields` nested in each row.
    pub fn query_list_memberships(&self, query: &MembershipQuery) -> Pager<ListMembership> {
        let fields = match fields_param(&MEMBERSHIP_FIELDS, "prospect.", &query.prospect_fields) {
            Ok(fields) => fields,
            Err(PardotError::InvalidRequest { reason }) => {
                return Pager::refused(self.clone(), reason);
            }
            Err(other) => return Pager::refused(self.clone(), other.to_string()),
        };

        let mut url = self.object_url("list-memberships");
        {
            let mut params = url.query_pairs_mut();
            params.append_pair("fields", &fields);
            if let Some(list_id) = query.list_id {
                params.append_pair("listId", &list_id.to_string());
            }
            if let Some(id) = query.id_greater_than {
                params.append_pair("idGreaterThan", &id.to_string());
            }
            if let Some(at) = &query.updated_at_after_or_equal {
                params.append_pair("updatedAtAfterOrEqualTo", &filter_timestamp(at));
            }
            if let Some(deleted) = query.deleted.param() {
                params.append_pair("deleted", deleted);
            }
            params.append_pair("orderBy", query.order_by.param());
            params.append_pair("limit", &self.page_size(query.limit).to_string());
        }
        Pager::new(self.clone(), url)
    }

    /// Pages through lists (ordered by id) with [`LIST_FIELDS`].
    pub fn query_lists(&self, query: &ListQuery) -> Pager<PardotList> {
        let mut url = self.object_url("lists");
        {
            let mut params = url.query_pairs_mut();
            params.append_pair("fields", LIST_FIELDS);
            if let Some(id) = query.id_greater_than {
                params.append_pair("idGreaterThan", &id.to_string());
            }
            if let Some(deleted) = query.deleted.param() {
                params.append_pair("deleted", deleted);
            }
            params.append_pair("orderBy", "id ASC");
            params.append_pair("limit", &self.page_size(query.limit).to_string());
        }
        Pager::new(self.clone(), url)
    }

    /// Reads one list with [`LIST_FIELDS`].
    #[instrument(skip(self))]
    pub async fn read_list(&self, id: i64) -> Result<PardotList, PardotError> {
        let mut url = self.object_url(&format!("lists/{id}"));
        url.query_pairs_mut().append_pair("fields", LIST_FIELDS);

        self.execute(Method::GET, url, None).await?.json()
    }

    /// Creates a static list, in `folder_id` when given (else Pardot's default folder).
    #[instrument(skip(self, name))]
    pub async fn create_list(
        &self,
        name: &str,
        folder_id: Option<i64>,
    ) -> Result<PardotList, PardotError> {
        let mut url = self.object_url("lists");
        url.query_pairs_mut()
            .append_pair("fields", CREATED_LIST_FIELDS);
        let mut body = json!({ "name": name });
        if let Some(folder_id) = folder_id {
            body["folderId"] = json!(folder_id);
        }

        self.execute(Method::POST, url, Some(&body)).await?.json()
    }

    /// Deletes a list (Pardot moves it to the recycle bin).
    #[instrument(skip(self))]
    pub async fn delete_list(&self, id: i64) -> Result<(), PardotError> {
        let url = self.object_url(&format!("lists/{id}"));

        self.execute(Method::DELETE, url, None).await.map(drop)
    }

    /// Adds a prospect to a list; an existing membership is reported, not an error.
    #[instrument(skip(self))]
    pub async fn create_list_membership(
        &self,
        list_id: i64,
        prospect_id: i64,
    ) -> Result<MembershipCreated, PardotError> {
        let mut url = self.object_url("list-memberships");
        url.query_pairs_mut().append_pair("fields", "id");
        let body = json!({ "listId": list_id, "prospectId": prospect_id });

        match self.execute(Method::POST, url, Some(&body)).await {
            Ok(response) => {
                let created: CreatedId = response.json()?;
                Ok(MembershipCreated::Created(created.id))
            }
            Err(PardotError::Api { code, .. }) if code == ALREADY_MEMBER => {
                Ok(MembershipCreated::AlreadyMember)
            }
            Err(err) => Err(err),
        }
    }

    /// Sets or clears a membership's opt-out (unsubscribed from this list).
    #[instrument(skip(self))]
    pub async fn update_list_membership_opt_out(
        &self,
        id: i64,
        opted_out: bool,
    ) -> Result<(), PardotError> {
        let mut url = self.object_url(&format!("list-memberships/{id}"));
        url.query_pairs_mut().append_pair("fields", "id");
        let body = json!({ "optedOut": opted_out });

        self.execute(Method::PATCH, url, Some(&body))
            .await
            .map(drop)
    }

    /// Removes a prospect from a list (the membership goes to the recycle bin).
    #[instrument(skip(self))]
    pub async fn delete_list_membership(&self, id: i64) -> Result<(), PardotError> {
        let url = self.object_url(&format!("list-memberships/{id}"));

        self.execute(Method::DELETE, url, None).await.map(drop)
    }
}
