//! Counting what the product asks of AWS. An interceptor on each SDK client records every
//! request by service and operation (per attempt, which is how AWS bills) and estimates the
//! DynamoDB request units from the items' sizes; a task-local scope attributes the same figures
//! to one sync run or one poller tick, so concurrent runs are measured apart. The scope also
//! records how long it waited on AWS (moto here, far slower than DynamoDB), so that the cost
//! model can swap moto's latency for AWS's.
//!
//! moto reports neither consumed capacity nor a request log worth parsing, so the units are
//! computed here with DynamoDB's published rules: a strongly consistent read costs one read
//! unit per 4 KB of items returned, and at least one per item asked for by key, found or not;
//! a write costs one write unit per 1 KB of the item. Two simplifications, both on the
//! expensive side: every read counts as strongly consistent (the poller's index query is in
//! fact eventually consistent, half the price), and every put of an item carrying the sparse
//! index's key is charged one more unit for the index write (DynamoDB skips it when the index
//! key did not change).

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use aws_sdk_dynamodb::config::interceptors::{
    BeforeSerializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
    FinalizerInterceptorContextRef,
};
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::operation::batch_get_item::{BatchGetItemInput, BatchGetItemOutput};
use aws_sdk_dynamodb::operation::batch_write_item::BatchWriteItemInput;
use aws_sdk_dynamodb::operation::get_item::GetItemOutput;
use aws_sdk_dynamodb::operation::put_item::PutItemInput;
use aws_sdk_dynamodb::operation::query::QueryOutput;
use aws_sdk_eventbridge::operation::put_events::PutEventsInput;
use serde::{Deserialize, Serialize};

use crate::units::{batch_write_units, item_size, read_units, write_units};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What one scope (a run, a tick, the whole simulation) asked of AWS, and the log it wrote.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Usage {
    /// Requests by `Service.Operation`, e.g. `DynamoDB.GetItem`; retries included.
    pub calls: BTreeMap<String, u64>,
    /// Estimated DynamoDB read request units.
    pub read_units: f64,
    /// Estimated DynamoDB write request units.
    pub write_units: f64,
    /// EventBridge entries put (each is one billed event).
    pub events: u64,
    /// Bytes of log lines the product wrote in this scope.
    pub log_bytes: u64,
    /// Wall time during which at least one AWS request of the scope was in flight, ms.
    #[serde(default)]
    pub aws_ms: f64,
}

impl Usage {
    /// Requests of one operation, e.g. `SecretsManager.GetSecretValue`.
    pub fn call(&self, name: &str) -> u64 {
        self.calls.get(name).copied().unwrap_or(0)
    }

    /// Requests to one service, e.g. `DynamoDB`.
    pub fn calls_to(&self, service: &str) -> u64 {
        self.calls
            .iter()
            .filter(|(name, _)| name.split('.').next() == Some(service))
            .map(|(_, n)| n)
            .sum()
    }

    /// Adds another scope's figures to these.
    pub fn add(&mut self, other: &Usage) {
        for (name, n) in &other.calls {
            *self.calls.entry(name.clone()).or_default() += n;
        }
        self.read_units += other.read_units;
        self.write_units += other.write_units;
        self.events += other.events;
        self.log_bytes += other.log_bytes;
        self.aws_ms += other.aws_ms;
    }

    /// What happened since `earlier`, a snapshot of the same counter.
    pub fn since(&self, earlier: &Usage) -> Usage {
        let mut calls = BTreeMap::new();
        for (name, n) in &self.calls {
            let delta = n.saturating_sub(earlier.call(name));
            if delta > 0 {
                calls.insert(name.clone(), delta);
            }
        }
        Usage {
            calls,
            read_units: self.read_units - earlier.read_units,
            write_units: self.write_units - earlier.write_units,
            events: self.events.saturating_sub(earlier.events),
            log_bytes: self.log_bytes.saturating_sub(earlier.log_bytes),
            aws_ms: self.aws_ms - earlier.aws_ms,
        }
    }
}

/// A scope's usage and the AWS requests it has in flight.
#[derive(Debug, Default)]
struct Scope {
    usage: Usage,
    in_flight: u32,
    busy_since: Option<Instant>,
}

tokio::task_local! {
    /// The scope of the run or tick the current task is working on.
    static SCOPE: Arc<Mutex<Scope>>;
}

fn lock<T>(value: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while counting cannot leave the counters half-updated in a way that matters.
    value.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Runs `work` with its own usage scope and returns what it asked of AWS.
pub async fn scoped<F: Future>(work: F) -> (F::Output, Usage) {
    let scope = Arc::new(Mutex::new(Scope::default()));
    let output = SCOPE.scope(Arc::clone(&scope), work).await;
    let measured = lock(&scope).usage.clone();
    (output, measured)
}

/// Adds log bytes to the current scope (called by the counting log writer).
pub(crate) fn record_log_bytes(bytes: usize) {
    let _ = SCOPE.try_with(|scope| lock(scope).usage.log_bytes += bytes as u64);
}

/// An AWS request of the current scope starts: the scope is waiting on AWS from now.
fn request_started() {
    let _ = SCOPE.try_with(|scope| {
        let mut scope = lock(scope);
        if scope.in_flight == 0 {
            scope.busy_since = Some(Instant::now());
        }
        scope.in_flight += 1;
    });
}

/// An AWS request of the current scope ended; when none is left, the wait is added up.
fn request_finished() {
    let _ = SCOPE.try_with(|scope| {
        let mut scope = lock(scope);
        scope.in_flight = scope.in_flight.saturating_sub(1);
        if scope.in_flight == 0
            && let Some(since) = scope.busy_since.take()
        {
            scope.usage.aws_ms += since.elapsed().as_secs_f64() * 1000.0;
        }
    });
}

/// The simulation-wide counter shared by the interceptors of all three clients.
#[derive(Debug, Clone, Default)]
pub struct Meter {
    total: Arc<Mutex<Usage>>,
}

impl Meter {
    /// Everything counted so far.
    pub fn snapshot(&self) -> Usage {
        lock(&self.total).clone()
    }

    fn record(&self, change: impl Fn(&mut Usage)) {
        change(&mut lock(&self.total));
        let _ = SCOPE.try_with(|scope| change(&mut lock(scope).usage));
    }

    /// An interceptor for one service's client (`DynamoDB`, `SecretsManager`, `EventBridge`).
    pub fn interceptor(&self, service: &'static str) -> AwsMeter {
        AwsMeter {
            service,
            meter: self.clone(),
        }
    }
}

/// The interceptor: counts requests, estimates request units, counts events put.
#[derive(Debug, Clone)]
pub struct AwsMeter {
    service: &'static str,
    meter: Meter,
}

impl Intercept for AwsMeter {
    fn name(&self) -> &'static str {
        "sbxy-loadsim-aws-meter"
    }

    fn read_before_execution(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        request_started();
        let input = context.input();
        if let Some(batch) = input.downcast_ref::<BatchGetItemInput>() {
            // Every key asked for costs a read unit, found or not; sizes are added afterwards.
            let keys = batch
                .request_items
                .iter()
                .flat_map(|tables| tables.values())
                .map(|keys| keys.keys().len())
                .sum::<usize>() as f64;
            self.meter.record(|u| u.read_units += keys);
            return Ok(());
        }
        let units = if let Some(put) = input.downcast_ref::<PutItemInput>() {
            put.item.as_ref().map_or(1.0, write_units)
        } else if let Some(batch) = input.downcast_ref::<BatchWriteItemInput>() {
            batch_write_units(batch)
        } else if let Some(put) = input.downcast_ref::<PutEventsInput>() {
            let entries = put.entries().len() as u64;
            self.meter.record(|u| u.events += entries);
            0.0
        } else if self.service == "DynamoDB" && is_single_write(context) {
            // UpdateItem and DeleteItem: the product's updated items stay below 1 KB.
            1.0
        } else {
            0.0
        };
        if units > 0.0 {
            self.meter.record(|u| u.write_units += units);
        }
        Ok(())
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        // Every service here speaks AWS JSON: `X-Amz-Target: <Prefix>.<Operation>`.
        let operation = context
            .request()
            .headers()
            .get("x-amz-target")
            .and_then(|target| target.rsplit('.').next())
            .unwrap_or("Unknown");
        let name = format!("{}.{operation}", self.service);
        self.meter
            .record(|u| *u.calls.entry(name.clone()).or_default() += 1);
        Ok(())
    }

    fn read_after_execution(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        request_finished();
        let Some(Ok(output)) = context.output_or_error() else {
            return Ok(());
        };
        let units = if let Some(get) = output.downcast_ref::<GetItemOutput>() {
            get.item
                .as_ref()
                .map_or(1.0, |item| read_units(item_size(item)))
        } else if let Some(query) = output.downcast_ref::<QueryOutput>() {
            read_units(query.items().iter().map(item_size).sum())
        } else if let Some(batch) = output.downcast_ref::<BatchGetItemOutput>() {
            batch
                .responses
                .iter()
                .flat_map(|tables| tables.values())
                .flatten()
                .map(|item| read_units(item_size(item)) - 1.0)
                .sum()
        } else {
            0.0
        };
        if units > 0.0 {
            self.meter.record(|u| u.read_units += units);
        }
        Ok(())
    }
}

fn is_single_write(context: &BeforeSerializationInterceptorContextRef<'_>) -> bool {
    use aws_sdk_dynamodb::operation::delete_item::DeleteItemInput;
    use aws_sdk_dynamodb::operation::update_item::UpdateItemInput;
    let input = context.input();
    input.downcast_ref::<UpdateItemInput>().is_some()
        || input.downcast_ref::<DeleteItemInput>().is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_subtracts_a_snapshot() {
        let mut before = Usage::default();
        before.calls.insert("DynamoDB.GetItem".into(), 2);
        let mut after = before.clone();
        after.calls.insert("DynamoDB.GetItem".into(), 5);
        after.calls.insert("DynamoDB.Query".into(), 1);
        after.events = 3;

        let delta = after.since(&before);

        assert_eq!(delta.call("DynamoDB.GetItem"), 3);
        assert_eq!(delta.calls_to("DynamoDB"), 4);
        assert_eq!(delta.events, 3);
    }
}
