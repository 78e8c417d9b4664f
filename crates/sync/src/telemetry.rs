//! Logging set-up shared by every binary: one flat JSON object per line in Lambda (CloudWatch
//! Logs Insights reads its keys directly), readable text on a terminal, filtered by `RUST_LOG`.
//!
//! A JSON line carries the fields of every span it was logged in, not just the innermost one:
//! the Lambda runtime's invocation span gives `requestId` and `xrayTraceId`, the worker's span
//! gives `tenant` and `run`, so a line deep inside a sync run still names the invocation, the
//! trace and the tenant without each call site repeating them.

use std::fmt;

use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::{JsonFields, Writer};
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormattedFields, MakeWriter};
use tracing_subscriber::registry::LookupSpan;

/// Installs the global subscriber. `json` is true in Lambda and whenever `LOG_FORMAT=json`.
pub fn init(json: bool) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));

    // A second call (tests, a runner calling twice) keeps the first subscriber.
    let _ = if json {
        tracing::subscriber::set_global_default(json_subscriber(filter, std::io::stderr))
    } else {
        tracing::subscriber::set_global_default(
            tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_writer(std::io::stderr)
                .with_target(false)
                .compact()
                .finish(),
        )
    };
}

/// The JSON subscriber writing to `writer`; a function of its own so tests can capture lines.
fn json_subscriber<W>(filter: EnvFilter, writer: W) -> impl Subscriber + Send + Sync
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .fmt_fields(JsonFields::new())
        .event_format(FlatJson)
        .finish()
}

/// Formats an event as one JSON object: time, level, target, the fields of its spans from the
/// outermost in (an inner span's field wins over an outer one of the same name), then the
/// event's own fields and message.
struct FlatJson;

impl<S> FormatEvent<S, JsonFields> for FlatJson
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, JsonFields>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let meta = event.metadata();
        let mut line = Map::new();
        line.insert("timestamp".into(), Value::String(now_rfc3339()));
        line.insert("level".into(), Value::String(meta.level().to_string()));
        line.insert("target".into(), Value::String(meta.target().to_owned()));

        // JsonFields stores each span's fields as a JSON object text in its extensions.
        if let Some(scope) = ctx.event_scope() {
            for span in scope.from_root() {
                let extensions = span.extensions();
                let Some(fields) = extensions.get::<FormattedFields<JsonFields>>() else {
                    continue;
                };
                if let Ok(Value::Object(fields)) = serde_json::from_str::<Value>(fields) {
                    line.extend(fields);
                }
            }
        }

        event.record(&mut FieldVisitor(&mut line));
        writeln!(writer, "{}", Value::Object(line))
    }
}

fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Copies an event's fields into the line, keeping numbers and booleans as JSON values.
struct FieldVisitor<'a>(&'a mut Map<String, Value>);

impl Visit for FieldVisitor<'_> {
    fn record_f64(&mut self, field: &Field, value: f64) {
        let value = serde_json::Number::from_f64(value).map_or(Value::Null, Value::Number);
        self.0.insert(field.name().into(), value);
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().into(), value.into());
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().into(), value.into());
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().into(), value.into());
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().into(), value.into());
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.0
            .insert(field.name().into(), Value::String(value.to_string()));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0
            .insert(field.name().into(), Value::String(format!("{value:?}")));
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use super::*;

    /// Collects everything the subscriber writes.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .expect("no test thread panicked")
                .extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'w> MakeWriter<'w> for Captured {
        type Writer = Self;

        fn make_writer(&'w self) -> Self::Writer {
            self.clone()
        }
    }

    fn lines_of(run: impl FnOnce()) -> Vec<Value> {
        let captured = Captured::default();
        let subscriber = json_subscriber(EnvFilter::new("info"), captured.clone());
        tracing::subscriber::with_default(subscriber, run);

        let bytes = captured.0.lock().expect("no test thread panicked").clone();
        String::from_utf8(bytes)
            .expect("log lines are UTF-8")
            .lines()
            .map(|line| serde_json::from_str(line).expect("every line is one JSON object"))
            .collect()
    }

    #[test]
    fn a_line_carries_the_ids_of_every_enclosing_span() {
        let lines = lines_of(|| {
            let invocation = tracing::info_span!(
                "Lambda runtime invoke",
                requestId = "req-1",
                xrayTraceId = "Root=1-abc"
            );
            let _invocation = invocation.enter();
            let run = tracing::info_span!("sync", tenant = "t-1", run = "r-1");
            let _run = run.enter();
            tracing::info!(event = "e-1", memberships = 3_u64, "sync run finished");
        });

        let line = &lines[0];
        assert_eq!(line["requestId"], "req-1");
        assert_eq!(line["xrayTraceId"], "Root=1-abc");
        assert_eq!(line["tenant"], "t-1");
        assert_eq!(line["run"], "r-1");
        assert_eq!(line["event"], "e-1");
        assert_eq!(line["memberships"], 3);
        assert_eq!(line["message"], "sync run finished");
        assert_eq!(line["level"], "INFO");
    }

    #[test]
    fn a_secret_field_prints_masked() {
        let secret = sbxy_domain::Secret::new("refresh-token-value");

        let lines = lines_of(|| tracing::info!(token = %secret, "stored the token"));

        let text = lines[0].to_string();
        assert!(!text.contains("refresh-token-value"), "{text}");
        assert_eq!(lines[0]["token"], "***");
    }

    #[test]
    fn a_line_outside_any_span_still_parses() {
        let lines = lines_of(|| tracing::warn!(attempt = 2_i64, "starting"));

        assert_eq!(lines[0]["attempt"], 2);
        assert_eq!(lines[0]["level"], "WARN");
    }
}
