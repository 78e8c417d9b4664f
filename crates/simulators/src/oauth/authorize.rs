//! The browser half of the web-server flow: `GET /services/oauth2/authorize` shows a login and
//! consent page; posting it redirects back to the app with a code or `access_denied`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};

use crate::http::{html_escape, query_pairs};
use crate::oauth::state::{AuthCode, DEFAULT_PASSWORD, DEFAULT_SCOPE};
use crate::shared::Shared;
use crate::sync::lock;

/// The parameters carried from the authorize URL through the form.
const CARRIED: [&str; 6] = [
    "client_id",
    "redirect_uri",
    "state",
    "scope",
    "code_challenge",
    "code_challenge_method",
];

/// `GET /services/oauth2/authorize`: validates the app, then shows the login page.
pub(crate) async fn page(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let params: HashMap<String, String> = query_pairs(&uri).into_iter().collect();
    if let Err((error, description)) = check_app(&shared, &params) {
        return error_page(error, description);
    }
    if params.get("response_type").map(String::as_str) != Some("code") {
        return redirect_error(
            &params,
            "unsupported_response_type",
            "response type not supported",
        );
    }
    login_page(&params, None).into_response()
}

/// `POST /services/oauth2/authorize`: the user allowed or denied.
pub(crate) async fn submit(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let params: HashMap<String, String> = url::form_urlencoded::parse(&body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if let Err((error, description)) = check_app(&shared, &params) {
        return error_page(error, description);
    }
    if params.get("decision").map(String::as_str) != Some("allow") {
        return redirect_error(&params, "access_denied", "end-user denied authorization");
    }

    // Log the user in by username and password.
    let username = params.get("username").map_or("", |u| u.trim());
    let password = params.get("password").map_or("", String::as_str);
    let user_id = {
        let sf = lock(&shared.salesforce);
        sf.users
            .values()
            .find(|u| u.username.eq_ignore_ascii_case(username))
            .filter(|u| {
                let expected = u.password.as_ref().map_or(DEFAULT_PASSWORD, |p| p.expose());
                expected == password
            })
            .map(|u| u.id.clone())
    };
    let Some(user_id) = user_id else {
        let page = login_page(&params, Some("Please check your username and password."));
        return (StatusCode::UNAUTHORIZED, page).into_response();
    };

    // Issue the code and send the browser back to the app.
    let code = {
        let mut sf = lock(&shared.salesforce);
        let expires_at = shared.clock.now()
            + chrono::Duration::seconds(
                i64::try_from(shared.oauth_options.code_lifetime_secs).unwrap_or(900),
            );
        sf.issue_code(AuthCode {
            user_id,
            client_id: params.get("client_id").cloned().unwrap_or_default(),
            redirect_uri: params.get("redirect_uri").cloned().unwrap_or_default(),
            scope: params
                .get("scope")
                .filter(|s| !s.trim().is_empty())
                .cloned()
                .unwrap_or_else(|| DEFAULT_SCOPE.to_owned()),
            code_challenge: params
                .get("code_challenge")
                .filter(|c| !c.is_empty())
                .cloned(),
            expires_at,
        })
    };
    redirect(&params, &[("code", &code)])
}

/// Unknown app or unregistered callback: an error page, never a redirect to an unchecked URL.
fn check_app(
    shared: &Shared,
    params: &HashMap<String, String>,
) -> Result<(), (&'static str, &'static str)> {
    let sf = lock(&shared.salesforce);
    let client_id = params.get("client_id").map_or("", String::as_str);
    if client_id != sf.client_id {
        return Err(("invalid_client_id", "client identifier invalid"));
    }
    let redirect_uri = params.get("redirect_uri").map_or("", String::as_str);
    let registered =
        sf.redirect_uris.is_empty() || sf.redirect_uris.iter().any(|u| u == redirect_uri);
    if url::Url::parse(redirect_uri).is_err() || !registered {
        return Err((
            "redirect_uri_mismatch",
            "redirect_uri must match configuration",
        ));
    }
    if let Some(method) = params.get("code_challenge_method")
        && !method.is_empty()
        && method != "S256"
    {
        return Err(("invalid_request", "code_challenge_method must be S256"));
    }
    Ok(())
}

fn redirect_error(params: &HashMap<String, String>, error: &str, description: &str) -> Response {
    redirect(
        params,
        &[("error", error), ("error_description", description)],
    )
}

/// `302` to the app's `redirect_uri` with `extra` and the app's `state` appended.
fn redirect(params: &HashMap<String, String>, extra: &[(&str, &str)]) -> Response {
    let raw = params.get("redirect_uri").map_or("", String::as_str);
    let Ok(mut target) = url::Url::parse(raw) else {
        return error_page(
            "redirect_uri_mismatch",
            "redirect_uri must match configuration",
        );
    };
    {
        let mut query = target.query_pairs_mut();
        for (key, value) in extra {
            query.append_pair(key, value);
        }
        if let Some(state) = params.get("state") {
            query.append_pair("state", state);
        }
    }
    (StatusCode::FOUND, [(header::LOCATION, target.to_string())]).into_response()
}

fn error_page(error: &str, description: &str) -> Response {
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>Error</title></head><body><h1>Authorization error</h1>\
         <p>error={}</p><p>error_description={}</p></body></html>",
        html_escape(error),
        html_escape(description)
    );
    (StatusCode::BAD_REQUEST, Html(body)).into_response()
}

fn login_page(params: &HashMap<String, String>, problem: Option<&str>) -> Html<String> {
    let hidden: String = CARRIED
        .iter()
        .filter_map(|key| params.get(*key).map(|value| (key, value)))
        .map(|(key, value)| {
            format!(
                "<input type=\"hidden\" name=\"{key}\" value=\"{}\">",
                html_escape(value)
            )
        })
        .collect();
    let problem = problem
        .map(|p| format!("<p role=\"alert\" id=\"error\">{}</p>", html_escape(p)))
        .unwrap_or_default();
    let scope = params.get("scope").map_or(DEFAULT_SCOPE, String::as_str);
    Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>Login | Salesforce (simulated)</title></head><body>\
         <h1>Log in to Salesforce</h1>{problem}\
         <form method=\"post\" action=\"/services/oauth2/authorize\">{hidden}\
         <p><label for=\"username\">Username</label>\
         <input type=\"text\" id=\"username\" name=\"username\" autocomplete=\"username\"></p>\
         <p><label for=\"password\">Password</label>\
         <input type=\"password\" id=\"password\" name=\"password\" \
         autocomplete=\"current-password\"></p>\
         <p>The app is asking for access: {}</p>\
         <button type=\"submit\" id=\"allow\" name=\"decision\" value=\"allow\">Allow</button>\
         <button type=\"submit\" id=\"deny\" name=\"decision\" value=\"deny\">Deny</button>\
         </form></body></html>",
        html_escape(scope)
    ))
}
