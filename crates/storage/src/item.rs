//! Small helpers to read and build DynamoDB items without repeating attribute plumbing.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::StorageError;

/// A DynamoDB item.
pub(crate) type Item = HashMap<String, AttributeValue>;

/// Builds an item attribute by attribute.
#[derive(Default)]
pub(crate) struct ItemBuilder(Item);

impl ItemBuilder {
    pub(crate) fn key(pk: impl Into<String>, sk: impl Into<String>) -> Self {
        Self::default().s("pk", pk).s("sk", sk)
    }

    pub(crate) fn with_key(key: Item) -> Self {
        Self(key)
    }

    pub(crate) fn s(mut self, name: &str, value: impl Into<String>) -> Self {
        self.0
            .insert(name.to_owned(), AttributeValue::S(value.into()));
        self
    }

    pub(crate) fn n(mut self, name: &str, value: i64) -> Self {
        self.0
            .insert(name.to_owned(), AttributeValue::N(value.to_string()));
        self
    }

    /// Stores a document as a JSON string: the documents are small, read whole, and never
    /// filtered on, so one attribute keeps their schema in Rust.
    pub(crate) fn json(self, name: &str, value: &impl Serialize) -> Result<Self, StorageError> {
        let text = serde_json::to_string(value).map_err(|e| StorageError::corrupt(name, e))?;
        Ok(self.s(name, text))
    }

    pub(crate) fn build(self) -> Item {
        self.0
    }
}

/// The primary key of an item.
pub(crate) fn key(pk: impl Into<String>, sk: impl Into<String>) -> Item {
    ItemBuilder::key(pk, sk).build()
}

/// Reads a string attribute.
pub(crate) fn get_s<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    match item.get(name) {
        Some(AttributeValue::S(value)) => Some(value),
        _ => None,
    }
}

/// Reads a required string attribute.
pub(crate) fn req_s<'a>(item: &'a Item, name: &str) -> Result<&'a str, StorageError> {
    get_s(item, name).ok_or_else(|| StorageError::corrupt(describe(item), format!("no {name}")))
}

/// Reads a number attribute.
pub(crate) fn get_n(item: &Item, name: &str) -> Option<i64> {
    match item.get(name) {
        Some(AttributeValue::N(value)) => value.parse().ok(),
        _ => None,
    }
}

/// Reads a JSON document attribute.
pub(crate) fn get_json<T: DeserializeOwned>(
    item: &Item,
    name: &str,
) -> Result<Option<T>, StorageError> {
    get_s(item, name)
        .map(|text| serde_json::from_str(text))
        .transpose()
        .map_err(|e| StorageError::corrupt(format!("{} {name}", describe(item)), e))
}

/// Names an item for error messages by its key.
pub(crate) fn describe(item: &Item) -> String {
    format!(
        "{}/{}",
        get_s(item, "pk").unwrap_or("?"),
        get_s(item, "sk").unwrap_or("?")
    )
}

/// What a conditional DynamoDB write did: `true` when it landed, `false` when its condition
/// failed (someone else holds the lease, the marker was taken, the item changed meanwhile).
/// Every other error is an AWS failure of `operation`.
pub(crate) fn conditional<O, E, R>(
    result: Result<O, aws_sdk_dynamodb::error::SdkError<E, R>>,
    operation: &'static str,
) -> Result<bool, StorageError>
where
    E: ConditionFailed + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match result {
        Ok(_) => Ok(true),
        Err(err) if err.as_service_error().is_some_and(E::condition_failed) => Ok(false),
        Err(err) => Err(StorageError::aws("DynamoDB", operation, err)),
    }
}

/// The DynamoDB write errors that can say "the condition failed".
pub(crate) trait ConditionFailed {
    fn condition_failed(&self) -> bool;
}

macro_rules! condition_failed {
    ($($error:ty),*) => {$(
        impl ConditionFailed for $error {
            fn condition_failed(&self) -> bool {
                self.is_conditional_check_failed_exception()
            }
        }
    )*};
}

condition_failed!(
    aws_sdk_dynamodb::operation::put_item::PutItemError,
    aws_sdk_dynamodb::operation::delete_item::DeleteItemError,
    aws_sdk_dynamodb::operation::update_item::UpdateItemError
);
