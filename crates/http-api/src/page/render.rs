//! The page's HTML: the connection, the settings form and the linked events, plus the small
//! pages for "not signed in" and the hop that carries the session cookie. Everything is
//! rendered on the server, so the status reads the same with JavaScript off; the one inline
//! script (nonce'd) only greys out checkboxes 2 and 3 while checkbox 1 is off.

use chrono::{DateTime, Utc};
use sbxy_domain::attendance::AttendanceOutcome;
use sbxy_domain::locale::Language;
use sbxy_domain::settings::PardotEnvironment;
use sbxy_storage::{AttendanceRecord, ConnectionState, LinkedEventRecord};

use super::form::{self, ENVIRONMENTS, FieldMessage};
use super::html::escape;
use super::i18n::{Text, text};
use super::model::PageModel;
use super::{PagePaths, Resolved};

const STYLE: &str = "body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d1d1f}\
main{max-width:60rem;margin:0 auto;padding:1rem 1.5rem}\
header{display:flex;justify-content:space-between;align-items:baseline}\
h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:2rem}\
.status{display:inline-block;padding:.2rem .7rem;border-radius:1rem;font-weight:600}\
.status-off{background:#e8e8ea;color:#555}.status-on{background:#dff3e4;color:#1d6b32}\
.status-warn{background:#fdecd2;color:#7a4a00}\
.notice{background:#eef5ff;border-left:4px solid #2d6cdf;padding:.5rem .8rem}\
.alert{background:#fdeeee;border-left:4px solid #c62828;padding:.5rem .8rem}\
.field{margin:.8rem 0}.field label{display:block;font-weight:600}\
.field input{width:100%;max-width:28rem;padding:.3rem;font:inherit}\
.check{margin:.4rem 0}.hint{color:#555;margin:.1rem 0;font-size:.9em}\
.field-error{color:#b00020;margin:.1rem 0;font-weight:600}\
[aria-invalid=true]{border:2px solid #b00020}\
fieldset{border:1px solid #ccc;margin:.8rem 0}\
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:.4rem;\
text-align:left;vertical-align:top}\
button{font:inherit;padding:.35rem .9rem;cursor:pointer}\
:focus-visible{outline:3px solid #2d6cdf;outline-offset:2px}\
dl{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem}dd{margin:0}";

/// Greys out checkboxes 2 and 3 while checkbox 1 is off: the API refuses that combination
/// anyway, this only says so before saving. Disabled boxes are not posted, i.e. off.
const SCRIPT: &str = "(function(){var s=document.getElementById('sync_enabled');if(!s)return;\
var d=document.querySelectorAll('[data-requires=sync_enabled]');\
function u(){for(var i=0;i<d.length;i++){d[i].disabled=!s.checked;}}\
s.addEventListener('change',u);u();})();";

/// A message above the page's sections.
pub(crate) enum Banner {
    /// Something worked (`role=status`).
    Notice(String),
    /// Something failed; the list names refused fields (`role=alert`).
    Alert(String, Vec<FieldMessage>),
}

/// The whole page.
pub(crate) fn page(
    resolved: &Resolved,
    paths: &PagePaths,
    model: &PageModel,
    csrf: &str,
    banner: Option<&Banner>,
    form_values: Option<(&sbxy_domain::settings::SettingsInput, &[FieldMessage])>,
) -> String {
    let t = text(resolved.language);
    let hidden = format!(
        "<input type=\"hidden\" name=\"csrf\" value=\"{}\">\
         <input type=\"hidden\" name=\"lang\" value=\"{}\">",
        escape(csrf),
        resolved.language.tag()
    );
    let (values, problems) = form_values.unwrap_or((&model.settings, &[]));

    let body = format!(
        "{switch}{banner}<section aria-labelledby=\"connection-heading\">\
         <h2 id=\"connection-heading\">{conn_heading}</h2>{connection}</section>\
         <section aria-labelledby=\"settings-heading\"><h2 id=\"settings-heading\">\
         {settings_heading}</h2><p class=\"hint\">{take_effect}</p>{form}</section>\
         <section aria-labelledby=\"events-heading\"><h2 id=\"events-heading\">{events_heading}\
         </h2>{events}</section>",
        switch = language_switch(t, resolved.language, &paths.page),
        banner = banner.map_or_else(String::new, banner_html),
        conn_heading = escape(t.connection_heading),
        connection = connection(t, model, paths, &hidden),
        settings_heading = escape(t.settings_heading),
        take_effect = escape(t.settings_take_effect),
        form = form::render(t, &hidden, &paths.settings, values, problems),
        events_heading = escape(t.events_heading),
        events = events(t, model, paths, &hidden),
    );
    document(resolved, t.title, &body, true)
}

/// A page with one heading and message, e.g. "not signed in".
pub(crate) fn message(resolved: &Resolved, heading: &str, message: &str, extra: &str) -> String {
    let t = text(resolved.language);
    let body = format!(
        "<h2>{}</h2><p id=\"message\" role=\"alert\">{}</p>{extra}",
        escape(heading),
        escape(message)
    );
    document(resolved, t.title, &body, false)
}

/// A page that moves on to `target` by itself. It carries the session cookie where a redirect
/// could not: a navigation this page starts is same-site, one that began on Salesforce's or
/// the Backstage's page is not, and a `SameSite=Strict` cookie only rides on the former.
pub(crate) fn hop(resolved: &Resolved, target: &str) -> String {
    let t = text(resolved.language);
    let target = escape(target);
    let body = format!(
        "<p><a id=\"continue\" href=\"{target}\">{}</a></p>",
        escape(t.continue_link)
    );
    let head = format!("<meta http-equiv=\"refresh\" content=\"0;url={target}\">");
    document_with_head(resolved, t.title, &head, &body, false)
}

fn document(resolved: &Resolved, title: &str, body: &str, script: bool) -> String {
    document_with_head(resolved, title, "", body, script)
}

fn document_with_head(
    resolved: &Resolved,
    title: &str,
    head: &str,
    body: &str,
    script: bool,
) -> String {
    let nonce = escape(&resolved.nonce);
    let script = if script {
        format!("<script nonce=\"{nonce}\">{SCRIPT}</script>")
    } else {
        String::new()
    };
    format!(
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">{head}\
         <title>STREAMBOXY · {title}</title><style nonce=\"{nonce}\">{STYLE}</style></head>\
         <body><main><header><h1>{title}</h1></header>{body}</main>{script}</body></html>",
        lang = resolved.language.tag(),
        title = escape(title),
    )
}

fn language_switch(t: &Text, language: Language, page: &str) -> String {
    let other = match language {
        Language::De => Language::En,
        Language::En => Language::De,
    };
    format!(
        "<nav aria-label=\"{label}\"><a id=\"language\" href=\"{page}?lang={tag}\" \
         hreflang=\"{tag}\" lang=\"{tag}\">{name}</a></nav>",
        label = escape(t.language_switch),
        page = escape(page),
        tag = other.tag(),
        name = escape(t.other_language),
    )
}

fn banner_html(banner: &Banner) -> String {
    match banner {
        Banner::Notice(text) => {
            format!(
                "<p class=\"notice\" id=\"notice\" role=\"status\">{}</p>",
                escape(text)
            )
        }
        Banner::Alert(text, problems) => {
            let items: String = problems
                .iter()
                .map(|p| {
                    let message = escape(&p.message);
                    if form::is_shown(p.field) {
                        format!("<li><a href=\"#{}\">{message}</a></li>", p.field)
                    } else {
                        format!("<li>{message}</li>")
                    }
                })
                .collect();
            let list = if items.is_empty() {
                String::new()
            } else {
                format!("<ul>{items}</ul>")
            };
            format!(
                "<div class=\"alert\" id=\"alert\" role=\"alert\" tabindex=\"-1\"><p>{}</p>{list}\
                 </div>",
                escape(text)
            )
        }
    }
}

fn connection(t: &Text, model: &PageModel, paths: &PagePaths, hidden: &str) -> String {
    let connection = &model.record.connection;
    let (class, status) = match connection.state {
        ConnectionState::NotConnected => ("status-off", t.not_connected),
        ConnectionState::Connected => ("status-on", t.connected),
        ConnectionState::ReconnectNeeded => ("status-warn", t.reconnect_needed),
    };
    let mut html = format!(
        "<p><span id=\"connection-status\" class=\"status {class}\">{}</span></p>",
        escape(status)
    );

    if connection.state != ConnectionState::NotConnected {
        let user = match (
            &connection.salesforce_username,
            &connection.salesforce_user_id,
        ) {
            (Some(name), Some(id)) => format!("{name} ({id})"),
            (Some(name), None) => name.clone(),
            (None, Some(id)) => id.clone(),
            (None, None) => t.none.to_owned(),
        };
        html.push_str(&format!(
            "<dl><dt>{user_label}</dt><dd id=\"salesforce-user\">{user}</dd>\
             <dt>{env_label}</dt><dd>{env}</dd><dt>{since_label}</dt><dd>{since}</dd></dl>",
            user_label = escape(t.salesforce_user),
            user = escape(&user),
            env_label = escape(t.environment),
            env = escape(environment_name(t, connection.environment)),
            since_label = escape(t.connected_since),
            since = escape(&time(t, connection.connected_at)),
        ));
    }
    if connection.state != ConnectionState::Connected {
        // Salesforce's login refuses to be framed, so the consent opens in the whole window.
        let radios: String = ENVIRONMENTS
            .iter()
            .map(|env| {
                let checked = if *env == model.settings.environment {
                    " checked"
                } else {
                    ""
                };
                format!(
                    "<div class=\"check\"><input type=\"radio\" name=\"environment\" \
                     id=\"environment-{v}\" value=\"{v}\"{checked}> <label \
                     for=\"environment-{v}\">{label}</label></div>",
                    v = env.as_str(),
                    label = escape(environment_name(t, *env)),
                )
            })
            .collect();
        html.push_str(&format!(
            "<form method=\"post\" action=\"{action}\" target=\"_top\">{hidden}<fieldset>\
             <legend>{legend}</legend>{radios}</fieldset><button type=\"submit\" \
             id=\"connect\">{label}</button></form>",
            action = escape(&paths.connect),
            legend = escape(t.environment),
            label = escape(t.connect),
        ));
    }
    if connection.state != ConnectionState::NotConnected {
        html.push_str(&format!(
            "<form method=\"post\" action=\"{action}\">{hidden}<button type=\"submit\" \
             id=\"disconnect\">{label}</button></form>",
            action = escape(&paths.disconnect),
            label = escape(t.disconnect),
        ));
    }
    html
}

fn events(t: &Text, model: &PageModel, paths: &PagePaths, hidden: &str) -> String {
    if model.events.is_empty() {
        return format!("<p id=\"no-events\">{}</p>", escape(t.no_events));
    }
    let head: String = [
        t.col_event,
        t.col_list,
        t.col_last_sync,
        t.col_counts,
        t.col_last_error,
        t.col_attendance,
        t.col_action,
    ]
    .iter()
    .map(|h| format!("<th scope=\"col\">{}</th>", escape(h)))
    .collect();
    let rows: String = model
        .events
        .iter()
        .map(|(event, attendance)| event_row(t, event, attendance.as_ref(), paths, hidden))
        .collect();
    format!(
        "<table id=\"events\"><caption>{}</caption><thead><tr>{head}</tr></thead>\
         <tbody>{rows}</tbody></table>",
        escape(t.events_heading)
    )
}

fn event_row(
    t: &Text,
    event: &LinkedEventRecord,
    attendance: Option<&AttendanceRecord>,
    paths: &PagePaths,
    hidden: &str,
) -> String {
    let id = escape(event.event_id.as_str());
    let c = &event.counts;
    let skipped: u64 = c.skipped.values().sum();
    let counts = format!(
        "{} {}, {} {}, {} {}, {} {}",
        c.memberships,
        t.memberships,
        c.registered,
        t.registered,
        skipped,
        t.skipped,
        c.failed,
        t.failed
    );
    let error = event.problem.as_ref().map_or_else(
        || t.none.to_owned(),
        |p| format!("{}: {}", p.message(), p.action()),
    );
    let button_label = format!("{} ({})", t.rerun, event.title);
    format!(
        "<tr data-event=\"{id}\"><th scope=\"row\">{title}</th><td>{list}</td>\
         <td class=\"last-sync\">{last_sync}</td><td class=\"counts\">{counts}</td>\
         <td class=\"last-error\">{error}</td><td class=\"attendance\">{attendance}</td>\
         <td><form method=\"post\" action=\"{action}\">{hidden}<button type=\"submit\" \
         id=\"rerun-{id}\" aria-label=\"{aria}\">{label}</button></form></td></tr>",
        title = escape(&event.title),
        list = escape(&event.list_name),
        last_sync = escape(&time(t, event.last_sync_at)),
        counts = escape(&counts),
        error = escape(&error),
        attendance = escape(&attendance_state(t, attendance)),
        action = escape(&paths.rerun(event.event_id.as_str())),
        aria = escape(&button_label),
        label = escape(t.rerun),
    )
}

fn attendance_state(t: &Text, record: Option<&AttendanceRecord>) -> String {
    let Some(record) = record else {
        return t.attendance_not_run.to_owned();
    };
    let state = match record.outcome {
        None if record.requested_at.is_some() => t.attendance_requested,
        None => t.attendance_not_run,
        Some(AttendanceOutcome::Success) => t.attendance_success,
        Some(AttendanceOutcome::Failed) => t.attendance_failed,
        Some(AttendanceOutcome::Partial) => t.attendance_partial,
        Some(AttendanceOutcome::Skipped) => t.attendance_skipped,
        Some(AttendanceOutcome::Busy) => t.attendance_busy,
    };
    let mut text = state.to_owned();
    if let Some(reason) = &record.reason {
        text.push_str(&format!(": {reason}"));
    }
    if let Some(finished) = record.finished_at {
        text.push_str(&format!(" ({})", time(t, Some(finished))));
    }
    text
}

fn environment_name(t: &Text, environment: PardotEnvironment) -> &'static str {
    match environment {
        PardotEnvironment::Production => t.production,
        PardotEnvironment::Sandbox => t.sandbox,
        PardotEnvironment::Developer => t.developer,
    }
}

fn time(t: &Text, at: Option<DateTime<Utc>>) -> String {
    at.map_or_else(
        || t.never.to_owned(),
        |at| at.format("%Y-%m-%d %H:%M UTC").to_string(),
    )
}
