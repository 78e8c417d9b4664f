//! DynamoDB's request-unit rules, applied to the items the product reads and writes: a
//! strongly consistent read costs one unit per started 4 KB, a write one per started 1 KB, and
//! an item's size is its attribute names plus values.

use std::collections::HashMap;

use aws_sdk_dynamodb::operation::batch_write_item::BatchWriteItemInput;
use aws_sdk_dynamodb::types::AttributeValue;

/// An item as the SDK holds it.
pub type Item = HashMap<String, AttributeValue>;

/// The attribute that puts a tenant on the sparse index; its writes also write the index.
const INDEX_KEY: &str = "gsi1pk";

/// Units of a batch write: each put by its item's size, each delete one.
pub(crate) fn batch_write_units(batch: &BatchWriteItemInput) -> f64 {
    batch
        .request_items
        .iter()
        .flat_map(|tables| tables.values())
        .flatten()
        .map(|request| {
            request
                .put_request()
                .map_or(1.0, |put| write_units(put.item()))
        })
        .sum()
}

/// One unit per started 4 KB, at least one.
pub(crate) fn read_units(bytes: usize) -> f64 {
    bytes.div_ceil(4096).max(1) as f64
}

/// One unit per started 1 KB, plus the index write when the item carries the index key.
pub(crate) fn write_units(item: &Item) -> f64 {
    let base = item_size(item).div_ceil(1024).max(1) as f64;
    base + if item.contains_key(INDEX_KEY) {
        1.0
    } else {
        0.0
    }
}

/// An item's size by DynamoDB's rules: attribute names plus values.
pub fn item_size(item: &Item) -> usize {
    item.iter()
        .map(|(name, value)| name.len() + value_size(value))
        .sum()
}

fn value_size(value: &AttributeValue) -> usize {
    match value {
        AttributeValue::S(s) => s.len(),
        // Numbers: about one byte per two significant digits, plus one.
        AttributeValue::N(n) => n.len().div_ceil(2) + 1,
        AttributeValue::B(b) => b.as_ref().len(),
        AttributeValue::Ss(items) => items.iter().map(String::len).sum(),
        AttributeValue::Ns(items) => items.iter().map(|n| n.len().div_ceil(2) + 1).sum(),
        AttributeValue::Bs(items) => items.iter().map(|b| b.as_ref().len()).sum(),
        AttributeValue::L(items) => 3 + items.iter().map(|v| 1 + value_size(v)).sum::<usize>(),
        AttributeValue::M(map) => {
            3 + map
                .iter()
                .map(|(k, v)| 1 + k.len() + value_size(v))
                .sum::<usize>()
        }
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(pairs: &[(&str, &str)]) -> Item {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), AttributeValue::S((*v).to_owned())))
            .collect()
    }

    #[test]
    fn a_small_item_costs_one_unit_and_the_index_key_one_more() {
        let plain = item(&[("pk", "BU#x"), ("sk", "LEASE")]);
        let indexed = item(&[
            ("pk", "TENANT#t"),
            ("sk", "PROFILE"),
            ("gsi1pk", "SYNCABLE#3"),
        ]);

        assert_eq!(write_units(&plain), 1.0);
        assert_eq!(write_units(&indexed), 2.0);
    }

    #[test]
    fn sizes_round_up_per_started_kilobyte_and_four_kilobytes() {
        let big = item(&[("pk", &"x".repeat(1500))]);

        assert_eq!(item_size(&big), 1502);
        assert_eq!(write_units(&big), 2.0);
        assert_eq!(read_units(4096), 1.0);
        assert_eq!(read_units(4097), 2.0);
        assert_eq!(read_units(0), 1.0);
    }
}
