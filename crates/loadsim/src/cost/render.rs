//! The cost model as Markdown: the generated part of docs/cost.md, also printed by `sbxy-cost`.

use std::fmt::Write as _;

use super::model::CostReport;

/// The generated section's markers in docs/cost.md.
pub const BEGIN: &str = "<!-- cost:begin -->";
/// See [`BEGIN`].
pub const END: &str = "<!-- cost:end -->";

/// Renders the bill, the verdict and the proposals. `measured_from` names the results file
/// the `measured_*` inputs came from, if any.
pub fn render(report: &CostReport, measured_from: Option<&str>) -> String {
    let mut out = String::new();
    let i = &report.inputs;
    let source = measured_from.map_or_else(
        || "docs/cost-inputs.json (no simulation results were found)".to_owned(),
        |path| format!("`{path}`"),
    );
    let _ = writeln!(
        out,
        "Computed by `sbxy-cost` for {:.0} tenants polled every {:.0} minutes ({:.0} runs per \
         tenant-month); measured inputs from {source}.\n",
        i.tenants, i.poll_interval_minutes, report.runs_per_tenant_month,
    );
    let _ = writeln!(
        out,
        "| service | item | quantity per tenant-month | USD per tenant-month | share |\n\
         | --- | --- | --- | --: | --: |"
    );
    for line in &report.lines {
        let share = if report.usd_per_tenant_month > 0.0 {
            line.usd / report.usd_per_tenant_month * 100.0
        } else {
            0.0
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {share:.1} % |",
            line.service,
            line.item,
            line.basis,
            usd(line.usd)
        );
    }
    let _ = writeln!(
        out,
        "| **total** | | | **{:.4}** | |\n",
        report.usd_per_tenant_month
    );

    let verdict = if report.meets_goal {
        "meets"
    } else {
        "**misses**"
    };
    let _ = writeln!(
        out,
        "**${:.3} per tenant-month** ({:.0} USD a month for the fleet) {verdict} the goal of \
         ${:.2}. The dominant line is **{}** with {:.0} % of the total.\n",
        report.usd_per_tenant_month,
        report.fleet_usd_per_month,
        report.goal_usd_per_tenant_month,
        report.dominant_line,
        report.dominant_share * 100.0,
    );
    let _ = writeln!(
        out,
        "With the tenant id as a metric *dimension* instead of a property, the {:.0} custom \
         metrics would become {:.0} metrics and cost ${:.3} per tenant-month instead of \
         ${:.5}.\n",
        i.custom_metrics,
        i.custom_metrics * i.tenants,
        report.metrics_with_tenant_dimension_usd,
        i.custom_metrics * i.metric_usd_per_month / i.tenants.max(1.0),
    );

    let _ = writeln!(
        out,
        "| proposal | saves | adds | net per tenant-month |\n| --- | --: | --: | --: |"
    );
    for p in &report.proposals {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {:.4} |",
            p.change,
            usd(p.saves_usd),
            usd(p.adds_usd),
            p.adds_usd - p.saves_usd
        );
    }
    let _ = writeln!(
        out,
        "\nWith both proposals: **${:.3} per tenant-month**.",
        report.usd_per_tenant_month_with_proposals
    );
    out
}

/// Four decimals; a line too small for them says so instead of showing zero.
fn usd(value: f64) -> String {
    if value > 0.0 && value < 0.000_05 {
        "< 0.0001".to_owned()
    } else {
        format!("{value:.4}")
    }
}
