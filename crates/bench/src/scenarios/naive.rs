//! The naive baseline: how a straightforward connector syncs a list, written only for this
//! comparison. No cursor (every pass pages through the whole list again), the membership
//! pages without nested prospect fields, so one prospect read per member, then the same three
//! STREAMBOXY calls and a PATCH when the field differs. It keeps the same caps as the product
//! (4 Pardot requests in flight, `concurrency` members at once), so the comparison is about
//! calls, not about being impolite.

use std::sync::Arc;

use anyhow::{Context, bail};
use futures::StreamExt;
use reqwest::{Client, Method, RequestBuilder};
use sbxy_harness::{DEMO_BUSINESS_UNIT, DEMO_LINK_FIELD, DEMO_TENANT};
use serde_json::{Value, json};
use tokio::sync::Semaphore;

use crate::stack::BenchStack;

/// The demo seed's Salesforce user, whose access token the baseline uses.
const USER: &str = "005DEMO000000USER";
/// Pardot requests in flight, as the product's default.
const PARDOT_IN_FLIGHT: usize = 4;

/// A connection to the simulators with the demo tenant's credentials.
pub struct Naive {
    http: Client,
    pardot: String,
    streamboxy: String,
    token: String,
    key: String,
    slots: Arc<Semaphore>,
    concurrency: usize,
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pass {
    pub members: usize,
    pub links_written: usize,
}

impl Naive {
    pub fn new(stack: &BenchStack, key: String, concurrency: usize) -> anyhow::Result<Self> {
        let token = stack
            .stack
            .sim
            .mint_access_token(USER)
            .context("the demo user has no access token")?;
        Ok(Self {
            http: Client::new(),
            pardot: stack.stack.sim.pardot_url.clone(),
            streamboxy: stack.stack.sim.streamboxy_url.clone(),
            token: token.expose().to_owned(),
            key,
            slots: Arc::new(Semaphore::new(PARDOT_IN_FLIGHT)),
            concurrency,
        })
    }

    /// One full pass over `list_id` for `event_id`.
    pub async fn sync(&self, list_id: i64, event_id: &str) -> anyhow::Result<Pass> {
        let prospects = self.members(list_id).await?;
        let written: Vec<anyhow::Result<bool>> = futures::stream::iter(
            prospects
                .iter()
                .map(|prospect| self.sync_member(*prospect, event_id)),
        )
        .buffer_unordered(self.concurrency)
        .collect()
        .await;

        let mut pass = Pass {
            members: prospects.len(),
            links_written: 0,
        };
        for result in written {
            pass.links_written += usize::from(result?);
        }
        Ok(pass)
    }

    /// Every member's prospect id, page by page.
    async fn members(&self, list_id: i64) -> anyhow::Result<Vec<i64>> {
        let mut url = format!(
            "{}/api/v5/objects/list-memberships?fields=id,prospectId&listId={list_id}\
             &orderBy=id%20ASC&limit=1000",
            self.pardot
        );
        let mut prospects = Vec::new();
        loop {
            let page = self.pardot_json(Method::GET, &url, None).await?;
            for value in page["values"].as_array().into_iter().flatten() {
                prospects.push(value["prospectId"].as_i64().context("prospectId")?);
            }
            match page["nextPageUrl"].as_str() {
                Some(next) => url = next.to_owned(),
                None => return Ok(prospects),
            }
        }
    }

    /// Read the prospect, register it, write the link when it differs.
    async fn sync_member(&self, prospect: i64, event: &str) -> anyhow::Result<bool> {
        let url = format!(
            "{}/api/v5/objects/prospects/{prospect}?fields=id,email,firstName,lastName,\
             {DEMO_LINK_FIELD}",
            self.pardot
        );
        let record = self.pardot_json(Method::GET, &url, None).await?;
        let email = record["email"].as_str().context("prospect e-mail")?;

        let tenant = format!("{}/tenant/{DEMO_TENANT}", self.streamboxy);
        let user = json!({"email": email, "firstName": record["firstName"],
                          "lastName": record["lastName"]});
        let response = self
            .streamboxy(Method::POST, &format!("{tenant}/User"))
            .json(&user)
            .send()
            .await?;
        let status = response.status();
        let body: Value = response.json().await?;
        let user_id = match status.as_u16() {
            201 | 200 => body["id"].as_str(),
            409 => body["existingId"].as_str(),
            _ => bail!("STREAMBOXY create user answered {status}"),
        }
        .context("STREAMBOXY user id")?
        .to_owned();
        let granted = self
            .streamboxy(
                Method::PUT,
                &format!("{tenant}/Event/{event}/User/{user_id}"),
            )
            .send()
            .await?;
        if !granted.status().is_success() {
            bail!("STREAMBOXY grant answered {}", granted.status());
        }
        let link: Value = self
            .streamboxy(Method::POST, &format!("{tenant}/User/{user_id}/AccessLink"))
            .json(&json!({"eventId": event}))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let url_value = link["url"].as_str().context("access link url")?;

        if record[DEMO_LINK_FIELD].as_str() == Some(url_value) {
            return Ok(false);
        }
        let patch = format!("{}/api/v5/objects/prospects/{prospect}", self.pardot);
        self.pardot_json(
            Method::PATCH,
            &patch,
            Some(json!({ DEMO_LINK_FIELD: url_value })),
        )
        .await?;
        Ok(true)
    }

    async fn pardot_json(
        &self,
        method: Method,
        url: &str,
        body: Option<Value>,
    ) -> anyhow::Result<Value> {
        let _slot = self.slots.acquire().await?;
        let mut request = self
            .http
            .request(method, url)
            .bearer_auth(&self.token)
            .header("Pardot-Business-Unit-Id", DEMO_BUSINESS_UNIT);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await?;
        let status = response.status();
        let text = response.text().await?;
        if !status.is_success() {
            bail!("Pardot answered {status}: {text}");
        }
        if text.is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(&text).context("Pardot JSON")
    }

    fn streamboxy(&self, method: Method, url: &str) -> RequestBuilder {
        self.http.request(method, url).bearer_auth(&self.key)
    }
}
