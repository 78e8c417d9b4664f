//! The local stand-in for the EventBridge rule that invokes the sync-worker with each
//! `AttendanceRequested` job: the runner, the demo and the tests run write-backs in-process,
//! one after another, through the same `run_job` the Lambda calls.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};

use sbxy_domain::attendance::AttendanceOutcome;
use sbxy_storage::{AttendanceJob, LocalDelivery};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use super::{AttendanceReport, run_job};
use crate::context::AppContext;
use crate::deadline::Deadline;

/// Reports kept for [`LocalWorker::take_reports`]; a long-running `serve` drops the oldest.
const KEPT_REPORTS: usize = 1000;

type Reports = Arc<Mutex<VecDeque<AttendanceReport>>>;

/// A background task running the write-back jobs this process puts on the bus.
pub struct LocalWorker {
    ctx: AppContext,
    delivery: LocalDelivery,
    finished: Arc<Notify>,
    reports: Reports,
    task: JoinHandle<()>,
}

impl LocalWorker {
    /// Starts the worker. Use [`LocalWorker::context`] wherever jobs are put (the webhook,
    /// the poller's catch-up): its bus hands them to this worker after PutEvents.
    pub fn start(ctx: &AppContext) -> Self {
        let (delivery, mut queue) = LocalDelivery::channel();
        let finished = Arc::new(Notify::new());
        let reports: Reports = Arc::default();

        let worker_ctx = ctx.clone();
        let (done, notify, kept) = (delivery.clone(), finished.clone(), reports.clone());
        let task = tokio::spawn(async move {
            while let Some(job) = queue.recv().await {
                let report = match run_job(&worker_ctx, &job, Deadline::none()).await {
                    Ok(report) => report,
                    Err(err) => {
                        tracing::error!(error = %err, "local attendance job failed");
                        failed_report(&job, &err.to_string())
                    }
                };
                {
                    let mut kept = kept.lock().unwrap_or_else(PoisonError::into_inner);
                    if kept.len() == KEPT_REPORTS {
                        kept.pop_front();
                    }
                    kept.push_back(report);
                }
                done.finished_one();
                notify.notify_waiters();
            }
        });

        let mut ctx = ctx.clone();
        ctx.bus = ctx.bus.clone().delivering_locally(delivery.clone());
        Self {
            ctx,
            delivery,
            finished,
            reports,
            task,
        }
    }

    /// The context whose bus delivers write-back jobs to this worker.
    pub fn context(&self) -> &AppContext {
        &self.ctx
    }

    /// Waits until every job delivered so far has run.
    pub async fn settle(&self) {
        loop {
            let finished = self.finished.notified();
            tokio::pin!(finished);
            finished.as_mut().enable();
            if self.delivery.outstanding() == 0 || self.task.is_finished() {
                return;
            }
            finished.await;
        }
    }

    /// The reports of the jobs finished since the last call, oldest first.
    pub fn take_reports(&self) -> Vec<AttendanceReport> {
        let mut kept = self.reports.lock().unwrap_or_else(PoisonError::into_inner);
        kept.drain(..).collect()
    }
}

impl Drop for LocalWorker {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn failed_report(job: &AttendanceJob, reason: &str) -> AttendanceReport {
    AttendanceReport {
        tenant_id: job.tenant_id.clone(),
        event_id: job.event_id.clone(),
        trigger: job.reason,
        outcome: AttendanceOutcome::Failed,
        reason: Some(reason.to_owned()),
        counts: Default::default(),
        show_list: None,
        no_show_list: None,
        activities_note: None,
        pardot_calls: 0,
        streamboxy_calls: 0,
    }
}
