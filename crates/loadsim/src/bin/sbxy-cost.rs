//! `sbxy-cost`: the cost per tenant-month. Reads docs/cost-inputs.json, replaces the measured
//! inputs with target/loadsim/results.json when the load simulation has run, applies
//! `--set name=value`, prints the bill and writes target/cost.json (`usd_per_tenant_month`).
//! `--update-doc` also rewrites the generated part of docs/cost.md.

use std::path::PathBuf;
use std::process::ExitCode;

use sbxy_loadsim::cost::{self, render};
use sbxy_loadsim::{LoadSimError, RESULTS_PATH, docs, workspace_root};

const USAGE: &str = "usage: sbxy-cost [--inputs FILE] [--results FILE | --no-measured]
    [--set NAME=VALUE]... [--out FILE] [--update-doc]";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("sbxy-cost: {err}");
            ExitCode::from(err.exit_code())
        }
    }
}

fn run() -> Result<(), LoadSimError> {
    let root = workspace_root();
    let mut inputs = root.join("docs/cost-inputs.json");
    let mut results = Some(root.join(RESULTS_PATH));
    let mut out = root.join("target/cost.json");
    let mut update_doc = false;
    let mut overrides = Vec::new();

    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        match flag.as_str() {
            "--help" | "-h" => {
                println!("{USAGE}");
                return Ok(());
            }
            "--no-measured" => results = None,
            "--update-doc" => update_doc = true,
            "--inputs" => inputs = PathBuf::from(value(&flag, args.next())?),
            "--results" => results = Some(PathBuf::from(value(&flag, args.next())?)),
            "--out" => out = PathBuf::from(value(&flag, args.next())?),
            "--set" => overrides.push(assignment(&value(&flag, args.next())?)?),
            _ => return Err(LoadSimError::Usage(format!("unknown flag {flag}\n{USAGE}"))),
        }
    }

    let (inputs, replaced) = cost::load_inputs(&inputs, results.as_deref(), &overrides)?;
    let report = cost::compute(&inputs);
    let source = replaced.as_ref().and(results.as_ref()).map(|path| {
        path.strip_prefix(&root)
            .unwrap_or(path)
            .display()
            .to_string()
    });
    let text = render::render(&report, source.as_deref());

    cost::write_json(&report, &out)?;
    if update_doc {
        let doc = root.join("docs/cost.md");
        docs::write_section(&doc, "# Cost", render::BEGIN, render::END, &text)?;
    }
    println!("{text}");
    println!("written: {}", out.display());
    Ok(())
}

fn value(flag: &str, value: Option<String>) -> Result<String, LoadSimError> {
    value.ok_or_else(|| LoadSimError::Usage(format!("{flag} needs a value\n{USAGE}")))
}

fn assignment(text: &str) -> Result<(String, f64), LoadSimError> {
    let (name, value) = text
        .split_once('=')
        .ok_or_else(|| LoadSimError::Usage(format!("--set takes NAME=VALUE, not {text:?}")))?;
    let number = value
        .trim()
        .parse()
        .map_err(|_| LoadSimError::Usage(format!("--set {name}: {value:?} is not a number")))?;
    Ok((name.trim().to_owned(), number))
}
