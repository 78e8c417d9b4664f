//! Query parameters of v5 collection reads: `limit`, `orderBy`, `deleted`, filters, and the
//! rule that a `nextPageToken` may only travel with `fields`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::pardot::errors::PardotError;

/// Default and maximum `limit`.
pub(crate) const DEFAULT_LIMIT: usize = 200;
pub(crate) const MAX_LIMIT: usize = 1000;

/// Which archived rows a query returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Deleted {
    False,
    True,
    All,
}

impl Deleted {
    pub(crate) fn admits(self, is_deleted: bool) -> bool {
        match self {
            Self::False => !is_deleted,
            Self::True => is_deleted,
            Self::All => true,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum SortField {
    #[serde(rename = "id")]
    Id,
    #[serde(rename = "createdAt")]
    CreatedAt,
    #[serde(rename = "updatedAt")]
    UpdatedAt,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Direction {
    #[serde(rename = "ASC")]
    Asc,
    #[serde(rename = "DESC")]
    Desc,
}

/// Comparison of a filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Op {
    #[serde(rename = "=")]
    Eq,
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "<=")]
    Le,
}

/// A filter value, typed by its field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub(crate) enum FilterValue {
    Int(i64),
    Time(DateTime<Utc>),
    Text(String),
}

/// One filter, e.g. `updatedAt >= …` from `updatedAtAfterOrEqualTo=…`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Filter {
    pub(crate) field: String,
    pub(crate) operator: Op,
    pub(crate) value: FilterValue,
}

/// What a query asks for, independent of where in the page chain it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct QuerySpec {
    pub(crate) order: SortField,
    pub(crate) direction: Direction,
    pub(crate) limit: usize,
    pub(crate) deleted: Deleted,
    pub(crate) filters: Vec<Filter>,
}

/// Which filters an object accepts: equality filters by name, and the range-filterable
/// fields among `id`, `createdAt`, `updatedAt`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct QueryRules {
    pub(crate) equality: &'static [&'static str],
    pub(crate) ranges: &'static [&'static str],
}

const ID_OPS: [(&str, Op); 4] = [
    ("GreaterThanOrEqualTo", Op::Ge),
    ("GreaterThan", Op::Gt),
    ("LessThanOrEqualTo", Op::Le),
    ("LessThan", Op::Lt),
];
const TIME_OPS: [(&str, Op); 4] = [
    ("AfterOrEqualTo", Op::Ge),
    ("After", Op::Gt),
    ("BeforeOrEqualTo", Op::Le),
    ("Before", Op::Lt),
];

/// Parses a filter parameter name into (field, operator), or `None` when it is no filter.
fn filter_name(name: &str, rules: &QueryRules) -> Option<(String, Op)> {
    if rules.equality.contains(&name) {
        return Some((name.to_owned(), Op::Eq));
    }
    for field in rules.ranges {
        let Some(suffix) = name.strip_prefix(field) else {
            continue;
        };
        let ops: &[(&str, Op)] = if *field == "id" { &ID_OPS } else { &TIME_OPS };
        if let Some((_, op)) = ops.iter().find(|(s, _)| *s == suffix) {
            return Some(((*field).to_owned(), *op));
        }
    }
    None
}

/// Parses an offset timestamp (`YYYY-MM-DDTHH:MM:SS±HH:MM`).
pub(crate) fn parse_time(name: &str, raw: &str) -> Result<DateTime<Utc>, PardotError> {
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            PardotError::invalid_parameter(format!(
                "{name}. Expected a date-time like 2026-11-28T10:00:00-07:00, got {raw:?} \
                 (encode '+' as %2B)"
            ))
        })
}

fn filter_value(field: &str, name: &str, raw: &str) -> Result<FilterValue, PardotError> {
    match field {
        "createdAt" | "updatedAt" => parse_time(name, raw).map(FilterValue::Time),
        "email" => Ok(FilterValue::Text(raw.to_owned())),
        _ => raw
            .trim()
            .parse()
            .map(FilterValue::Int)
            .map_err(|_| PardotError::invalid_parameter(format!("{name}. Expected an integer"))),
    }
}

fn parse_order(raw: &str, rules: &QueryRules) -> Result<(SortField, Direction), PardotError> {
    let mut keys = Vec::new();
    for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let mut words = part.split_whitespace();
        let field = match words.next() {
            Some("id") => SortField::Id,
            Some("createdAt") if rules.ranges.contains(&"createdAt") => SortField::CreatedAt,
            Some("updatedAt") if rules.ranges.contains(&"updatedAt") => SortField::UpdatedAt,
            _ => {
                return Err(PardotError::invalid_parameter(format!(
                    "orderBy. Cannot sort by {part:?}"
                )));
            }
        };
        let direction = match words.next().map(str::to_ascii_uppercase).as_deref() {
            None | Some("ASC") => Direction::Asc,
            Some("DESC") => Direction::Desc,
            Some(other) => {
                return Err(PardotError::invalid_parameter(format!(
                    "orderBy. Unknown direction {other:?}"
                )));
            }
        };
        keys.push((field, direction));
    }
    let Some(&(first, direction)) = keys.first() else {
        return Ok((SortField::Id, Direction::Asc));
    };
    if keys.iter().any(|(_, d)| *d != direction) {
        return Err(PardotError::invalid_parameter(
            "orderBy. The direction of all the orderBy's must be the same",
        ));
    }
    // The server appends `id` as tie-breaker, so only the first non-id key matters.
    let order = keys
        .iter()
        .map(|(f, _)| *f)
        .find(|f| *f != SortField::Id)
        .unwrap_or(first);
    Ok((order, direction))
}

/// Parses the query parameters of a first page (no token).
pub(crate) fn parse_spec(
    params: &[(String, String)],
    rules: &QueryRules,
) -> Result<QuerySpec, PardotError> {
    let mut spec = QuerySpec {
        order: SortField::Id,
        direction: Direction::Asc,
        limit: DEFAULT_LIMIT,
        deleted: Deleted::False,
        filters: Vec::new(),
    };
    for (name, value) in params {
        match name.as_str() {
            "fields" | "nextPageToken" => {}
            "limit" => {
                let limit: i64 = value
                    .trim()
                    .parse()
                    .map_err(|_| PardotError::invalid_parameter("limit. Expected an integer"))?;
                if !(1..=MAX_LIMIT as i64).contains(&limit) {
                    return Err(PardotError::out_of_range(format!(
                        "limit must be between 1 and {MAX_LIMIT}"
                    )));
                }
                spec.limit = limit as usize;
            }
            "orderBy" => (spec.order, spec.direction) = parse_order(value, rules)?,
            "deleted" => {
                spec.deleted = match value.as_str() {
                    "false" => Deleted::False,
                    "true" => Deleted::True,
                    "all" => Deleted::All,
                    _ => {
                        return Err(PardotError::invalid_parameter(
                            "deleted. Use false, true or all",
                        ));
                    }
                };
            }
            other => {
                let Some((field, operator)) = filter_name(other, rules) else {
                    return Err(PardotError::invalid_parameter(other));
                };
                let value = filter_value(&field, other, value)?;
                spec.filters.push(Filter {
                    field,
                    operator,
                    value,
                });
            }
        }
    }

    let mut distinct: Vec<&str> = spec.filters.iter().map(|f| f.field.as_str()).collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() > 3 {
        return Err(PardotError::too_many_filters());
    }
    Ok(spec)
}

/// With a `nextPageToken`, only `fields` may accompany it.
pub(crate) fn check_token_alone(params: &[(String, String)]) -> Result<(), PardotError> {
    match params
        .iter()
        .find(|(name, _)| name != "fields" && name != "nextPageToken")
    {
        Some((name, _)) => Err(PardotError::invalid_parameter(format!(
            "{name}. Only fields may be sent together with nextPageToken"
        ))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: QueryRules = QueryRules {
        equality: &["listId", "prospectId"],
        ranges: &["id", "createdAt", "updatedAt"],
    };

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn filters_limits_and_order_are_parsed() {
        let spec = parse_spec(
            &params(&[
                ("listId", "7"),
                ("idGreaterThan", "10"),
                ("updatedAtAfterOrEqualTo", "2026-11-28T10:00:00-07:00"),
                ("orderBy", "updatedAt DESC, id DESC"),
                ("limit", "1000"),
                ("deleted", "all"),
            ]),
            &RULES,
        )
        .unwrap();

        assert_eq!(spec.order, SortField::UpdatedAt);
        assert_eq!(spec.direction, Direction::Desc);
        assert_eq!(spec.limit, 1000);
        assert_eq!(spec.deleted, Deleted::All);
        assert_eq!(spec.filters.len(), 3);
        assert_eq!(spec.filters[1].operator, Op::Gt);
    }

    #[test]
    fn bad_parameters_get_their_codes() {
        let code = |p: &[(&str, &str)]| parse_spec(&params(p), &RULES).unwrap_err().code;

        assert_eq!(code(&[("limit", "1001")]), 52);
        assert_eq!(code(&[("limit", "0")]), 52);
        assert_eq!(code(&[("orderBy", "id ASC, updatedAt DESC")]), 51);
        assert_eq!(code(&[("orderBy", "name")]), 51);
        assert_eq!(code(&[("name", "x")]), 51);
        assert_eq!(code(&[("updatedAtAfter", "2026-11-28T10:00:00 02:00")]), 51);
        assert_eq!(
            code(&[
                ("listId", "1"),
                ("prospectId", "2"),
                ("idGreaterThan", "3"),
                ("updatedAtAfter", "2026-11-28T10:00:00Z"),
            ]),
            209
        );
    }

    #[test]
    fn token_travels_only_with_fields() {
        assert!(check_token_alone(&params(&[("fields", "id"), ("nextPageToken", "x")])).is_ok());
        let err = check_token_alone(&params(&[("nextPageToken", "x"), ("limit", "5")]));
        assert_eq!(err.unwrap_err().code, 51);
    }
}
