//! `make demo`: starts moto and the simulators on free loopback ports, connects the demo tenant
//! through the simulated Salesforce consent page, runs a poller tick with its sync runs through
//! the Lambdas' code, runs it again, and prints and writes the summary
//! (target/demo/summary.json). Everything it started stops when it ends, also on failure.

use std::path::PathBuf;

use anyhow::{Context, bail};
use sbxy_domain::ids::TenantId;
use sbxy_domain::settings::SettingsInput;
use sbxy_harness::summary::{DemoSummary, RunFigures};
use sbxy_harness::{DEMO_BUSINESS_UNIT, DEMO_LINK_FIELD, DEMO_TENANT, Stack, StackOptions};
use sbxy_sync::Deadline;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    sbxy_sync::telemetry::init(std::env::var("LOG_FORMAT").is_ok_and(|f| f == "json"));

    println!("Starting moto_server and the Salesforce, Pardot and STREAMBOXY simulators…");
    // Whether Pardot nests a recycle-bin prospect or returns null is unverified; the product
    // handles both, and nesting lets the demo show the reason by name.
    let mut options = StackOptions::default();
    options.sim.pardot.nest_deleted_prospects = true;
    let stack = Stack::start(sbxy_harness::demo_seed()?, options).await?;
    // Ctrl-C stops the stack too: moto is a child process that must not outlive the demo.
    let result = tokio::select! {
        result = run(&stack) => result,
        _ = tokio::signal::ctrl_c() => Err(anyhow::anyhow!("interrupted")),
    };
    stack.stop().await;
    result
}

async fn run(stack: &Stack) -> anyhow::Result<()> {
    let tenant = TenantId::parse(DEMO_TENANT)?;
    println!("Connecting tenant {tenant} through the Salesforce consent page…");
    let settings = SettingsInput {
        sync_enabled: true,
        business_unit_id: Some(DEMO_BUSINESS_UNIT.into()),
        link_field: Some(DEMO_LINK_FIELD.into()),
        ..SettingsInput::default()
    };
    stack.connect_tenant(&tenant, settings).await?;

    println!("Poll 1: scheduler tick and sync runs…");
    let first_run = poll(stack).await?;
    println!("Poll 2: the same again, which should change nothing…");
    let second_run = poll(stack).await?;
    let summary = DemoSummary {
        first_run,
        second_run,
    };

    print_summary(&summary);
    show_sample_links(stack);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = root.canonicalize().unwrap_or(root).join("target/demo");
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    let path = out.join("summary.json");
    std::fs::write(&path, serde_json::to_string_pretty(&summary)? + "\n")?;
    println!("\nSummary written to {}", path.display());

    if !summary.first_run.balanced() || !summary.second_run.balanced() {
        bail!("not every membership is accounted for as registered or skipped");
    }
    let second = &summary.second_run;
    if second.users_created + second.grants + second.links_written != 0 {
        bail!("the second run wrote something although nothing changed");
    }
    Ok(())
}

async fn poll(stack: &Stack) -> anyhow::Result<RunFigures> {
    let (pardot, streamboxy) = (stack.pardot_calls(), stack.streamboxy_calls());
    let (_, reports) = sbxy_sync::poller::poll_in_process(&stack.ctx, Deadline::none()).await?;
    Ok(RunFigures::from_reports(
        &reports,
        stack.pardot_calls() - pardot,
        stack.streamboxy_calls() - streamboxy,
    ))
}

fn print_summary(summary: &DemoSummary) {
    for (title, run) in [
        ("First poll", &summary.first_run),
        ("Second poll", &summary.second_run),
    ] {
        println!("\n{title}");
        println!("  memberships seen        {:>6}", run.memberships);
        println!("  registered              {:>6}", run.registered);
        for (reason, count) in &run.skipped {
            println!("  skipped: {reason:<22}{count:>5}");
        }
        println!("  STREAMBOXY users new    {:>6}", run.users_created);
        println!("  STREAMBOXY users reused {:>6}", run.users_reused);
        println!("  event grants            {:>6}", run.grants);
        println!("  links written to Pardot {:>6}", run.links_written);
        println!("  Pardot calls            {:>6}", run.pardot_calls);
        println!("  STREAMBOXY calls        {:>6}", run.streamboxy_calls);
        for (list, figures) in &run.lists {
            println!(
                "  list {list:?}: {} memberships, {} registered, {} skipped",
                figures.memberships,
                figures.registered,
                figures.skipped.values().sum::<u64>()
            );
        }
    }
}

fn show_sample_links(stack: &Stack) {
    println!("\nA few prospects and the link now in their {DEMO_LINK_FIELD} field:");
    for list in stack
        .sim
        .lists_named(DEMO_BUSINESS_UNIT, "SBXY Partner Summit")
        .iter()
        .take(1)
    {
        for membership in stack
            .sim
            .list_memberships(DEMO_BUSINESS_UNIT, list.id)
            .iter()
            .take(3)
        {
            let link = stack
                .sim
                .prospect_field(DEMO_BUSINESS_UNIT, membership.prospect_id, DEMO_LINK_FIELD)
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_else(|| "(none)".into());
            println!("  prospect {}: {link}", membership.prospect_id);
        }
    }
}
