//! `make demo`: starts moto and the simulators on free loopback ports, connects the demo tenant
//! through the admin API and the simulated Salesforce consent page (connect, "Allow", the OAuth
//! callback, then the settings saved through the API), runs a poller tick with its sync runs
//! through the Lambdas' code, runs it again, then ends event 1 (a third of its audience joined)
//! with the Backstage's signed webhook to the local API, which writes Show / No Show back, and
//! does that once more, which changes nothing. It prints and writes the summary
//! (target/demo/summary.json). Everything it started stops when it ends, also on failure.
//!
//! `sbxy-demo --serve` (`make demo-page`) then keeps everything running and writes
//! target/demo/admin-page.html: a sign-in form carrying an admin token of the demo tenant, the
//! way the Backstage opens the admin page. Open it in a browser; Ctrl-C stops the demo.

use std::path::PathBuf;

use anyhow::{Context, bail};
use sbxy_domain::ids::TenantId;
use sbxy_harness::summary::{AttendanceFigures, DemoSummary, RunFigures};
use sbxy_harness::{
    DEMO_BUSINESS_UNIT, DEMO_LINK_FIELD, DEMO_TENANT, Stack, StackOptions, attendance_settings,
};
use sbxy_sync::Deadline;

/// Event 1 of the demo seed, "Product Launch 2027", and the list its property names.
const EVENT_1: &str = "3f1c2a4b-8d7e-4f60-9a1b-2c3d4e5f6071";
const EVENT_1_LIST: &str = "SBXYPardotTest";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    sbxy_sync::telemetry::init(std::env::var("LOG_FORMAT").is_ok_and(|f| f == "json"));

    println!("Starting moto_server and the Salesforce, Pardot and STREAMBOXY simulators…");
    // Whether Pardot nests a recycle-bin prospect or returns null is unverified; the product
    // handles both, and nesting lets the demo show the reason by name.
    let mut options = StackOptions::default();
    options.sim.pardot.nest_deleted_prospects = true;
    let serve = std::env::args().skip(1).any(|arg| arg == "--serve");
    let stack = Stack::start(sbxy_harness::demo_seed()?, options).await?;
    // Ctrl-C stops the stack too: moto is a child process that must not outlive the demo.
    let result = tokio::select! {
        result = run_then_serve(&stack, serve) => result,
        _ = tokio::signal::ctrl_c() => {
            if serve { Ok(()) } else { Err(anyhow::anyhow!("interrupted")) }
        }
    };
    stack.stop().await;
    result
}

async fn run_then_serve(stack: &Stack, serve: bool) -> anyhow::Result<()> {
    run(stack).await?;
    if !serve {
        return Ok(());
    }

    let tenant = TenantId::parse(DEMO_TENANT)?;
    let page = stack.api(&format!("/tenants/{tenant}/pardot/page"));
    let token = stack.admin_token_valid_for(&tenant, chrono::Duration::hours(1));
    let form = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>Sign in to the demo admin page</title></head><body>\
         <form method=\"post\" action=\"{page}/session\">\
         <input type=\"hidden\" name=\"token\" value=\"{token}\">\
         <button type=\"submit\">Open the admin page of the demo tenant</button>\
         </form></body></html>\n"
    );
    let path = demo_dir()?.join("admin-page.html");
    std::fs::write(&path, form)?;
    println!("\nThe admin page is served at {page}");
    println!(
        "Open file://{} and press the button (within an hour).",
        path.display()
    );
    println!("The stack keeps running; Ctrl-C stops it.");
    std::future::pending::<()>().await;
    Ok(())
}

/// target/demo, created if missing.
fn demo_dir() -> anyhow::Result<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = root.canonicalize().unwrap_or(root).join("target/demo");
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    Ok(out)
}

async fn run(stack: &Stack) -> anyhow::Result<()> {
    let tenant = TenantId::parse(DEMO_TENANT)?;
    println!("Connecting tenant {tenant} through the admin API and the Salesforce consent page…");
    // Checkboxes 1–3: the sync, Show / No Show lists and External Activities.
    let settings = attendance_settings();
    let connected = stack.connect_tenant(&tenant, settings).await?;
    println!("  the callback sent the admin to {}", connected.admin_page);

    println!("Poll 1: scheduler tick and sync runs…");
    let first_run = poll(stack).await?;
    println!("Poll 2: the same again, which should change nothing…");
    let second_run = poll(stack).await?;

    println!("Event 1 ends: a third of its audience joined; the Backstage sends the webhook…");
    let attended: Vec<String> = stack
        .sim
        .grants(DEMO_TENANT, EVENT_1)
        .into_iter()
        .step_by(3)
        .collect();
    stack.record_attendance(EVENT_1, &attended, true)?;
    stack.set_event_state(EVENT_1, "Finished")?;
    let ended = stack.end_event_with_webhook(EVENT_1).await?;
    let attendance = stack.attendance_figures(&ended, EVENT_1_LIST);
    println!("The same webhook once more (a new delivery), which should change nothing…");
    let again = stack.end_event_with_webhook(EVENT_1).await?;
    let attendance_second_run = stack.attendance_figures(&again, EVENT_1_LIST);
    let summary = DemoSummary {
        first_run,
        second_run,
        registrants: attendance.registrants,
        show: attendance.show,
        no_show: attendance.no_show,
        external_activities: attendance.external_activities,
        attendance,
        attendance_second_run,
    };

    print_summary(&summary);
    print_attendance(&summary, stack.processing_state(EVENT_1));
    show_sample_links(stack);
    let path = demo_dir()?.join("summary.json");
    std::fs::write(&path, serde_json::to_string_pretty(&summary)? + "\n")?;
    println!("\nSummary written to {}", path.display());

    if !summary.first_run.balanced() || !summary.second_run.balanced() {
        bail!("not every membership is accounted for as registered or skipped");
    }
    let second = &summary.second_run;
    if second.users_created + second.grants + second.links_written != 0 {
        bail!("the second run wrote something although nothing changed");
    }
    check_attendance(stack, &summary)
}

/// The rules the end of event 1 must show: every registrant in exactly one list, both lists
/// in the source list's folder, and nothing written by the second run.
fn check_attendance(stack: &Stack, summary: &DemoSummary) -> anyhow::Result<()> {
    let (first, second) = (&summary.attendance, &summary.attendance_second_run);
    if !first.balanced() || !second.balanced() {
        bail!("show + no_show differs from the registrants");
    }
    let source = stack.sim.lists_named(DEMO_BUSINESS_UNIT, EVENT_1_LIST);
    let folder = source.first().and_then(|list| list.folder_id);
    for list in [&first.show_list, &first.no_show_list] {
        match list {
            Some(list) if list.folder_id == folder => {}
            other => bail!("a Show / No Show list is missing or outside {folder:?}: {other:?}"),
        }
    }
    if second.memberships_written + second.activities_written != 0 {
        bail!("the second end-of-event run wrote something although nothing changed");
    }
    if (second.show, second.no_show, second.external_activities)
        != (first.show, first.no_show, first.external_activities)
    {
        bail!("the second end-of-event run changed the lists or the activities");
    }
    Ok(())
}

fn print_attendance(summary: &DemoSummary, state: Option<String>) {
    for (title, run) in [
        ("Event 1 ended (webhook)", &summary.attendance),
        ("Event 1 ended again", &summary.attendance_second_run),
    ] {
        let AttendanceFigures {
            registrants,
            show,
            no_show,
            external_activities,
            ..
        } = run;
        println!("\n{title}");
        println!("  registrants             {registrants:>6}");
        println!("  Show                    {show:>6}");
        println!("  No Show                 {no_show:>6}");
        println!("  External Activities     {external_activities:>6}");
        println!("  memberships written     {:>6}", run.memberships_written);
        println!("  activities written      {:>6}", run.activities_written);
        println!("  Pardot calls            {:>6}", run.pardot_calls);
        for list in [&run.show_list, &run.no_show_list].into_iter().flatten() {
            println!(
                "  list {:?} (id {}) in folder {:?}",
                list.name,
                list.id,
                list.folder_id.unwrap_or_default()
            );
        }
    }
    let state = state.unwrap_or_else(|| "(none)".into());
    println!("  PardotIntegrationAttendanceProcessingState: {state}");
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
