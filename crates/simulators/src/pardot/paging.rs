//! Keyset paging per pardot-api.md §3.4: the token is base64 JSON of the query plus the last
//! sort key; it is issued iff the page is full; a chain is cut at a ceiling with a
//! `Pardot-Warning`; tokens expire after 4 hours.

use axum::Json;
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Duration, FixedOffset, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::pardot::errors::PardotError;
use crate::pardot::model::render_time;
use crate::pardot::query::{Deleted, Direction, Filter, FilterValue, Op, QuerySpec, SortField};

/// The warning Pardot sends when a token chain reaches its ceiling (code 101 in the server
/// code, 203 in the docs; clients match the text).
pub const CEILING_WARNING: &str = "101;Record count for nextPageToken sequence has been \
                                          exceeded. No page token returned.";

/// The sortable and filterable facts of one row.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    pub(crate) id: i64,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
    pub(crate) is_deleted: bool,
    /// Last API write, for the read lag.
    pub(crate) written_at: Option<DateTime<Utc>>,
    /// Equality-filterable values by field name (`listId`, `prospectId`, `email`).
    pub(crate) keys: Vec<(&'static str, FilterValue)>,
}

/// Where the next page starts: after this sort key and id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Resume {
    pub(crate) at: Option<DateTime<Utc>>,
    pub(crate) id: i64,
}

/// A position in a page chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cursor {
    pub(crate) spec: QuerySpec,
    pub(crate) resume: Option<Resume>,
    pub(crate) page: u64,
    /// Records returned earlier in this chain.
    pub(crate) rec_count: u64,
}

impl Cursor {
    pub(crate) fn first(spec: QuerySpec) -> Self {
        Self {
            spec,
            resume: None,
            page: 1,
            rec_count: 0,
        }
    }
}

/// The token's JSON, shaped like the captured one plus the object it belongs to.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TokenBody {
    object: String,
    order_by: String,
    filters: Vec<Filter>,
    limit: usize,
    resume_value: Map<String, Value>,
    page: u64,
    rec_count: u64,
    expire_time: String,
    deleted: Deleted,
}

fn order_text(spec: &QuerySpec) -> String {
    let field = match spec.order {
        SortField::Id => "id",
        SortField::CreatedAt => "createdAt",
        SortField::UpdatedAt => "updatedAt",
    };
    let dir = match spec.direction {
        Direction::Asc => "ASC",
        Direction::Desc => "DESC",
    };
    format!("{field} {dir}")
}

fn parse_order_text(text: &str) -> Option<(SortField, Direction)> {
    let (field, dir) = text.split_once(' ')?;
    let field = serde_json::from_value(json!(field)).ok()?;
    let dir = serde_json::from_value(json!(dir)).ok()?;
    Some((field, dir))
}

/// Encodes the cursor of the next page.
pub(crate) fn encode(
    object: &str,
    cursor: &Cursor,
    expires: DateTime<Utc>,
    offset: FixedOffset,
) -> String {
    let mut resume = Map::new();
    if let Some(resume_at) = cursor.resume.as_ref() {
        if let Some(at) = resume_at.at {
            let key = if cursor.spec.order == SortField::CreatedAt {
                "createdAt"
            } else {
                "updatedAt"
            };
            resume.insert(key.into(), json!(render_time(at, offset)));
        }
        resume.insert("id".into(), json!(resume_at.id));
    }
    let body = TokenBody {
        object: object.to_owned(),
        order_by: order_text(&cursor.spec),
        filters: cursor.spec.filters.clone(),
        limit: cursor.spec.limit,
        resume_value: resume,
        page: cursor.page,
        rec_count: cursor.rec_count,
        expire_time: render_time(expires, offset),
        deleted: cursor.spec.deleted,
    };
    let json = serde_json::to_vec(&body).unwrap_or_default();
    STANDARD.encode(json)
}

/// Decodes a token of `object`: garbage → 211, expired → 210.
pub(crate) fn decode(object: &str, token: &str, now: DateTime<Utc>) -> Result<Cursor, PardotError> {
    // A client that put the token into a URL without encoding '+' sends a space instead.
    let token = token.trim().replace(' ', "+");
    let bytes = STANDARD
        .decode(token)
        .map_err(|_| PardotError::page_token_invalid())?;
    let body: TokenBody =
        serde_json::from_slice(&bytes).map_err(|_| PardotError::page_token_invalid())?;
    if body.object != object || body.limit == 0 {
        return Err(PardotError::page_token_invalid());
    }
    let expires = DateTime::parse_from_rfc3339(&body.expire_time)
        .map_err(|_| PardotError::page_token_invalid())?;
    if expires.with_timezone(&Utc) <= now {
        return Err(PardotError::page_token_expired());
    }
    let (order, direction) =
        parse_order_text(&body.order_by).ok_or_else(PardotError::page_token_invalid)?;
    let id = body.resume_value.get("id").and_then(Value::as_i64);
    let at = ["updatedAt", "createdAt"]
        .iter()
        .find_map(|k| body.resume_value.get(*k).and_then(Value::as_str))
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc));
    Ok(Cursor {
        spec: QuerySpec {
            order,
            direction,
            limit: body.limit,
            deleted: body.deleted,
            filters: body.filters,
        },
        resume: id.map(|id| Resume { at, id }),
        page: body.page,
        rec_count: body.rec_count,
    })
}

fn matches(filter: &Filter, cand: &Candidate) -> bool {
    use std::cmp::Ordering;
    let ordering = match (filter.field.as_str(), &filter.value) {
        ("id", FilterValue::Int(v)) => cand.id.cmp(v),
        ("createdAt", FilterValue::Time(t)) => cand.created_at.trunc_subsecs(0).cmp(t),
        ("updatedAt", FilterValue::Time(t)) => cand.updated_at.trunc_subsecs(0).cmp(t),
        (name, wanted) => {
            let have = cand.keys.iter().find(|(k, _)| *k == name).map(|(_, v)| v);
            return match (have, wanted) {
                (Some(FilterValue::Text(h)), FilterValue::Text(w)) => {
                    h.trim().eq_ignore_ascii_case(w.trim())
                }
                (Some(h), w) => h == w,
                (None, _) => false,
            };
        }
    };
    match filter.operator {
        Op::Eq => ordering == Ordering::Equal,
        Op::Gt => ordering == Ordering::Greater,
        Op::Ge => ordering != Ordering::Less,
        Op::Lt => ordering == Ordering::Less,
        Op::Le => ordering != Ordering::Greater,
    }
}

/// The rows of one page and what follows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Selection {
    pub(crate) ids: Vec<i64>,
    /// The cursor of the next page when a token is due.
    pub(crate) next: Option<Cursor>,
    pub(crate) ceiling_hit: bool,
}

/// Filters, sorts and cuts one page out of `candidates`.
pub(crate) fn select(
    mut candidates: Vec<Candidate>,
    cursor: &Cursor,
    ceiling: u64,
    hidden_after: Option<DateTime<Utc>>,
) -> Selection {
    let spec = &cursor.spec;
    candidates.retain(|c| {
        spec.deleted.admits(c.is_deleted)
            && hidden_after.is_none_or(|cut| c.written_at.is_none_or(|w| w <= cut))
            && spec.filters.iter().all(|f| matches(f, c))
    });

    // Keys are compared at whole seconds, the precision clients see and tokens carry.
    let sort_key = |c: &Candidate| match spec.order {
        SortField::Id => (None, c.id),
        SortField::CreatedAt => (Some(c.created_at.trunc_subsecs(0)), c.id),
        SortField::UpdatedAt => (Some(c.updated_at.trunc_subsecs(0)), c.id),
    };
    candidates.sort_by_key(sort_key);
    if spec.direction == Direction::Desc {
        candidates.reverse();
    }
    if let Some(resume) = &cursor.resume {
        let after = (resume.at.filter(|_| spec.order != SortField::Id), resume.id);
        candidates.retain(|c| match spec.direction {
            Direction::Asc => sort_key(c) > after,
            Direction::Desc => sort_key(c) < after,
        });
    }

    let room = ceiling.saturating_sub(cursor.rec_count);
    let page_limit = (spec.limit as u64).min(room) as usize;
    let page: Vec<&Candidate> = candidates.iter().take(page_limit).collect();
    let full = page_limit > 0 && page.len() == page_limit;
    let returned = cursor.rec_count + page.len() as u64;
    let ceiling_hit = full && returned >= ceiling;

    let next = page.last().filter(|_| full && !ceiling_hit).map(|last| {
        let (at, id) = sort_key(last);
        Cursor {
            spec: spec.clone(),
            resume: Some(Resume { at, id }),
            page: cursor.page + 1,
            rec_count: returned,
        }
    });
    Selection {
        ids: page.iter().map(|c| c.id).collect(),
        next,
        ceiling_hit,
    }
}

/// Everything needed to write a query answer.
pub(crate) struct Envelope<'a> {
    pub(crate) object: &'a str,
    /// `http://host:port/api/v5/objects/<object>` as the client reached it.
    pub(crate) self_url: String,
    pub(crate) fields_raw: &'a str,
    pub(crate) offset: FixedOffset,
    pub(crate) now: DateTime<Utc>,
    pub(crate) token_ttl_secs: u64,
}

impl Envelope<'_> {
    /// The query body `{nextPageToken, nextPageUrl, values}` (both keys always present).
    pub(crate) fn respond(&self, values: Vec<Value>, selection: &Selection) -> Response {
        let (token, url) = match &selection.next {
            Some(cursor) => {
                let ttl = Duration::seconds(i64::try_from(self.token_ttl_secs).unwrap_or(14_400));
                let token = encode(self.object, cursor, self.now + ttl, self.offset);
                let in_url = token.replace('+', "%2B").replace('/', "%2F");
                let url = format!(
                    "{}?fields={}&nextPageToken={in_url}",
                    self.self_url, self.fields_raw
                );
                (Value::String(token), Value::String(url))
            }
            None => (Value::Null, Value::Null),
        };
        let body = json!({ "nextPageToken": token, "nextPageUrl": url, "values": values });
        let mut response = Json(body).into_response();
        if selection.ceiling_hit {
            response
                .headers_mut()
                .insert("Pardot-Warning", HeaderValue::from_static(CEILING_WARNING));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cands(n: i64) -> Vec<Candidate> {
        (1..=n)
            .map(|id| Candidate {
                id,
                created_at: DateTime::UNIX_EPOCH,
                updated_at: DateTime::UNIX_EPOCH + Duration::seconds(100 - id),
                is_deleted: false,
                written_at: None,
                keys: vec![],
            })
            .collect()
    }

    fn spec(limit: usize, order: SortField) -> QuerySpec {
        QuerySpec {
            order,
            direction: Direction::Asc,
            limit,
            deleted: Deleted::False,
            filters: vec![],
        }
    }

    #[test]
    fn exactly_full_last_page_is_followed_by_an_empty_one() {
        let first = select(cands(4), &Cursor::first(spec(2, SortField::Id)), 100, None);
        assert_eq!(first.ids, vec![1, 2]);
        let second = select(cands(4), first.next.as_ref().unwrap(), 100, None);
        assert_eq!(second.ids, vec![3, 4]);
        let third = select(cands(4), second.next.as_ref().unwrap(), 100, None);
        assert!(third.ids.is_empty());
        assert!(third.next.is_none());
    }

    #[test]
    fn updated_at_order_resumes_after_the_key() {
        let first = select(
            cands(3),
            &Cursor::first(spec(2, SortField::UpdatedAt)),
            100,
            None,
        );
        assert_eq!(first.ids, vec![3, 2]);
        let second = select(cands(3), first.next.as_ref().unwrap(), 100, None);
        assert_eq!(second.ids, vec![1]);
        assert!(second.next.is_none());
    }

    #[test]
    fn ceiling_cuts_the_chain() {
        let first = select(cands(10), &Cursor::first(spec(3, SortField::Id)), 5, None);
        let second = select(cands(10), first.next.as_ref().unwrap(), 5, None);
        assert_eq!(second.ids, vec![4, 5]);
        assert!(second.ceiling_hit);
        assert!(second.next.is_none());
    }

    #[test]
    fn tokens_round_trip_and_expire() {
        let now = Utc::now();
        let offset = FixedOffset::west_opt(7 * 3600).unwrap();
        let first = select(
            cands(4),
            &Cursor::first(spec(2, SortField::UpdatedAt)),
            100,
            None,
        );
        let cursor = first.next.unwrap();
        let token = encode("lists", &cursor, now + Duration::hours(4), offset);

        assert_eq!(decode("lists", &token, now).unwrap(), cursor);
        assert_eq!(decode("prospects", &token, now).unwrap_err().code, 211);
        assert_eq!(decode("lists", "garbage!", now).unwrap_err().code, 211);
        let late = now + Duration::hours(5);
        assert_eq!(decode("lists", &token, late).unwrap_err().code, 210);
    }
}
