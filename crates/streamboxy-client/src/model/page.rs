//! `PagedResult<T>`, the list envelope seen in STREAMBOXY's own sample code.

use serde::{Deserialize, Serialize};

/// One page of a list: `{"count": <total>, "result": [...]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    /// The number of items in the whole list, not in this page ([INF] in the docs). Missing
    /// or `null` means unknown: the client then pages until an empty page.
    #[serde(default)]
    pub count: Option<u64>,

    /// The items of this page.
    pub result: Vec<T>,
}
