//! The poller alone at a larger fleet (10,000 tenants by default): its own table holding only
//! the sparse index entries, so the ticks measure exactly what the poller Lambda does, index
//! queries and PutEvents batches, at the size the issue asks about. The jobs go to moto's bus
//! and are not worked; the workers' side is measured by the full simulation.

use std::collections::HashMap;
use std::time::Instant;

use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};
use futures::StreamExt;
use sbxy_storage::{Store, sync_bucket};
use sbxy_sync::poller::{POLL_SLOTS, buckets_of_slot, poll_tick};

use crate::error::LoadSimError;
use crate::meter::scoped;
use crate::results::{PollerAtScale, PollerTick};
use crate::sim::{Simulation, millis};
use crate::stats::Distribution;

/// BatchWriteItem takes at most 25 items (moto accepts 26; AWS does not).
const BATCH: usize = 25;
/// Batches written at once while seeding (seeding is not measured).
const SEED_CONCURRENCY: usize = 8;

/// Seeds `tenants` syncable tenants into a fresh table and runs one poller tick per slot.
pub async fn poller_at_scale(
    sim: &Simulation,
    tenants: usize,
) -> Result<PollerAtScale, LoadSimError> {
    let table = format!("{}-poller-scale", sim.ctx().config.table_name);
    let plain = aws_sdk_dynamodb::Client::new(&sim.aws);
    Store::new(plain.clone(), &table).create_table().await?;
    seed_index(&plain, &table, tenants).await?;

    let mut ctx = sim.ctx().clone();
    ctx.store = Store::new(sim.metered_dynamodb.clone(), &table);
    let mut ticks = Vec::new();
    for slot in 0..POLL_SLOTS {
        let started = Instant::now();
        let (report, usage) = scoped(poll_tick(&ctx, &buckets_of_slot(slot))).await;
        let report = report?;
        ticks.push(PollerTick {
            slot,
            jobs: report.jobs.len(),
            ms: millis(started),
            usage,
        });
    }

    let wall: Vec<f64> = ticks.iter().map(|t| t.ms).collect();
    Ok(PollerAtScale {
        tenants,
        wall_ms: Distribution::of(&wall),
        ticks,
    })
}

/// Writes the profile keys the poller reads: what `update_tenant` writes for a syncable
/// tenant, minus the settings the poller never looks at.
async fn seed_index(
    ddb: &aws_sdk_dynamodb::Client,
    table: &str,
    tenants: usize,
) -> Result<(), LoadSimError> {
    let requests: Vec<WriteRequest> = (0..tenants)
        .map(|i| {
            let id = format!("5ca1e000-0000-4000-8000-{i:012}");
            let item = HashMap::from([
                ("pk".to_owned(), s(format!("TENANT#{id}"))),
                ("sk".to_owned(), s("PROFILE".to_owned())),
                (
                    "gsi1pk".to_owned(),
                    s(format!("SYNCABLE#{}", sync_bucket(&id))),
                ),
                ("gsi1sk".to_owned(), s(id.clone())),
                ("tenant_id".to_owned(), s(id)),
            ]);
            let put = PutRequest::builder()
                .set_item(Some(item))
                .build()
                .map_err(|e| aws_error("BatchWriteItem", e))?;
            Ok(WriteRequest::builder().put_request(put).build())
        })
        .collect::<Result<_, LoadSimError>>()?;

    let batches: Vec<Vec<WriteRequest>> = requests.chunks(BATCH).map(<[_]>::to_vec).collect();
    let mut writing = futures::stream::iter(batches)
        .map(|batch| write_batch(ddb, table, batch))
        .buffer_unordered(SEED_CONCURRENCY);
    while let Some(written) = writing.next().await {
        written?;
    }
    Ok(())
}

async fn write_batch(
    ddb: &aws_sdk_dynamodb::Client,
    table: &str,
    mut batch: Vec<WriteRequest>,
) -> Result<(), LoadSimError> {
    // Unprocessed items are sent again; moto processes all, AWS may not.
    while !batch.is_empty() {
        let output = ddb
            .batch_write_item()
            .request_items(table, batch)
            .send()
            .await
            .map_err(|e| aws_error("BatchWriteItem", e))?;
        batch = output
            .unprocessed_items
            .and_then(|mut left| left.remove(table))
            .unwrap_or_default();
    }
    Ok(())
}

fn s(value: String) -> AttributeValue {
    AttributeValue::S(value)
}

fn aws_error(operation: &'static str, err: impl std::fmt::Debug) -> LoadSimError {
    LoadSimError::Aws {
        operation,
        detail: format!("{err:?}"),
    }
}
