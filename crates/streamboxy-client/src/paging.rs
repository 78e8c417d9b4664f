//! Reading a whole list through `take`/`skip` pages of `{"count", "result"}`.

use reqwest::Method;
use serde::de::DeserializeOwned;
use url::Url;

use crate::model::Page;
use crate::transport::Call;
use crate::{StreamboxyClient, StreamboxyError};

/// More items than any tenant list plausibly holds; reaching it means the server ignores
/// `skip` and would otherwise be paged forever.
const MAX_ITEMS: u64 = 1_000_000;

impl StreamboxyClient {
    /// Every item of the list at `url` (which may already carry filters).
    ///
    /// Stops when `skip` reaches the reported total or a page comes back empty. A short page
    /// alone does not end the list: the server may cap `take` below what we asked for.
    pub(crate) async fn collect_pages<T: DeserializeOwned>(
        &self,
        url: Url,
    ) -> Result<Vec<T>, StreamboxyError> {
        let take = self.config.take().to_string();
        let mut items = Vec::new();
        let mut skip: u64 = 0;

        loop {
            let mut page_url = url.clone();
            page_url
                .query_pairs_mut()
                .append_pair("take", &take)
                .append_pair("skip", &skip.to_string());

            let page: Page<T> = self.send(&Call::new(Method::GET, page_url)).await?.json()?;
            if page.result.is_empty() {
                break;
            }

            skip += page.result.len() as u64;
            items.extend(page.result);

            if page.count.is_some_and(|total| skip >= total) {
                break;
            }
            if skip >= MAX_ITEMS {
                return Err(StreamboxyError::Decode {
                    status: 200,
                    reason: format!(
                        "{} keeps returning pages past {MAX_ITEMS} items; \
                         the server may be ignoring `skip`",
                        url.path()
                    ),
                });
            }
        }

        tracing::debug!(path = url.path(), items = items.len(), "read a paged list");
        Ok(items)
    }
}
