//! Every settings rule through `PUT …/settings`, in English and German: each refusal names
//! its field and the fix, nothing is saved, and valid settings read back as saved.

use reqwest::{Method, StatusCode};
use sbxy_domain::settings::{PardotEnvironment, SettingsInput};
use sbxy_e2e::tenant;
use sbxy_harness::{Consent, Stack};
use serde_json::{Value, json};

use crate::admin_common::{demo_settings, stack, stack_with};

/// The refusals of `input` in `language`, as (field, message); asserts a 422 that saved
/// nothing.
async fn refusals(stack: &Stack, input: &SettingsInput, language: &str) -> Vec<(String, String)> {
    let before = stack.ctx.store.tenant(&tenant()).await.expect("read");

    let (status, body) = stack
        .put_settings(&tenant(), input, language)
        .await
        .expect("put");

    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"], "invalid_settings");
    let after = stack.ctx.store.tenant(&tenant()).await.expect("read");
    assert_eq!(
        before.and_then(|r| r.settings),
        after.and_then(|r| r.settings),
        "refused settings are not saved"
    );
    body["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| {
            (
                p["field"].as_str().unwrap_or_default().to_owned(),
                p["message"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// Asserts that `input` is refused on `field` with `english` / `german` in the message.
async fn assert_refused(
    stack: &Stack,
    input: SettingsInput,
    field: &str,
    english: &str,
    german: &str,
) {
    for (language, expected) in [("en-US,en;q=0.9", english), ("de-DE,de;q=0.9", german)] {
        let problems = refusals(stack, &input, language).await;
        let message = problems
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.clone())
            .unwrap_or_else(|| panic!("no problem on {field}: {problems:?}"));
        assert!(
            message.contains(expected),
            "{field} in {language}: {message:?} lacks {expected:?}"
        );
    }
}

#[tokio::test]
async fn the_local_rules_name_field_and_fix_in_both_languages() {
    let stack = stack().await;

    let mut only_lists = SettingsInput {
        attendance_lists_enabled: true,
        ..SettingsInput::default()
    };
    assert_refused(
        &stack,
        only_lists.clone(),
        "attendance_lists_enabled",
        "checkbox 1",
        "Kontrollkästchen 1",
    )
    .await;
    only_lists.attendance_lists_enabled = false;
    only_lists.external_activities_enabled = true;
    assert_refused(
        &stack,
        only_lists,
        "external_activities_enabled",
        "checkbox 1",
        "Kontrollkästchen 1",
    )
    .await;

    let short = SettingsInput {
        business_unit_id: Some("0Uv5e000000DEMO".into()),
        ..demo_settings()
    };
    assert_refused(
        &stack,
        short,
        "business_unit_id",
        "18-character",
        "18-stellige",
    )
    .await;
    let wrong_prefix = SettingsInput {
        business_unit_id: Some("00D5e000000DEMOCAA".into()),
        ..demo_settings()
    };
    assert_refused(
        &stack,
        wrong_prefix,
        "business_unit_id",
        "must start with 0Uv",
        "muss mit 0Uv beginnen",
    )
    .await;
    let missing = SettingsInput {
        business_unit_id: None,
        ..demo_settings()
    };
    assert_refused(
        &stack,
        missing,
        "business_unit_id",
        "required",
        "erforderlich",
    )
    .await;

    for identity in ["email", "id", "salesforceId"] {
        let input = SettingsInput {
            link_field: Some(identity.into()),
            ..demo_settings()
        };
        assert_refused(
            &stack,
            input,
            "link_field",
            "identity and e-mail fields are never overwritten",
            "Identitäts- und E-Mail-Felder",
        )
        .await;
    }

    let pattern = SettingsInput {
        show_list_pattern: Some("Show".into()),
        ..demo_settings()
    };
    assert_refused(&stack, pattern, "show_list_pattern", "{list}", "{list}").await;
    stack.stop().await;
}

#[tokio::test]
async fn a_missing_event_property_is_named() {
    let stack = stack_with(|seed| {
        seed.streamboxy.tenants[0]
            .property_definitions
            .retain(|d| d.internal_name != "PardotIntegrationAttendanceProcessingState");
    })
    .await;

    assert_refused(
        &stack,
        demo_settings(),
        "attendance_state_property",
        "no event custom property named PardotIntegrationAttendanceProcessingState",
        "internen Namen PardotIntegrationAttendanceProcessingState",
    )
    .await;
    // A configured internal name is looked up under that name.
    let renamed = SettingsInput {
        attendance_state_property: Some("PardotIntegrationAttendanceProcessingState".into()),
        list_name_property: Some("PardotListe".into()),
        ..demo_settings()
    };
    let problems = refusals(&stack, &renamed, "en").await;
    let fields: Vec<&str> = problems.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(fields, ["list_name_property", "attendance_state_property"]);
    assert!(problems[0].1.contains("PardotListe"), "{problems:?}");
    stack.stop().await;
}

#[tokio::test]
async fn valid_settings_are_saved_and_read_back() {
    let stack = stack().await;
    let tenant = tenant();
    // Not connected yet: Pardot is not asked, so an unknown custom field is accepted.
    let not_checked = SettingsInput {
        link_field: Some("notInPardotYet__c".into()),
        ..demo_settings()
    };
    let (status, _) = stack
        .put_settings(&tenant, &not_checked, "en")
        .await
        .expect("put");
    assert_eq!(status, StatusCode::OK);

    let (status, saved) = stack
        .put_settings(&tenant, &demo_settings(), "en")
        .await
        .expect("put");
    let (_, read) = stack
        .admin_call(
            Method::GET,
            &tenant,
            &format!("/tenants/{tenant}/pardot/settings"),
        )
        .await
        .expect("get");

    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved, read);
    assert_eq!(read["saved"], true);
    assert_eq!(read["pardot_host"], "pi.pardot.com");
    assert_eq!(read["connection"], "not_connected");
    assert_eq!(read["settings"]["business_unit_id"], "0Uv5e000000DEMOCAA");
    assert_eq!(read["settings"]["list_name_property"], "PardotListName");
    let round_trip: SettingsInput =
        serde_json::from_value(read["settings"].clone()).expect("GET has PUT's shape");
    assert_eq!(round_trip.link_field.as_deref(), Some("streamboxyLink__c"));
    stack.stop().await;
}

#[tokio::test]
async fn while_connected_the_link_field_and_environment_are_checked_against_pardot() {
    let stack = stack_with(|seed| {
        let checkbox: sbxy_simulators::CustomField = serde_json::from_value(json!({
            "id": 310002, "fieldId": "optInBox", "name": "Opt-in box", "type": "checkbox"
        }))
        .expect("custom field");
        seed.pardot.business_units[0].custom_fields.push(checkbox);
    })
    .await;
    stack
        .connect_tenant(&tenant(), demo_settings())
        .await
        .expect("connect");

    let unknown = SettingsInput {
        link_field: Some("noSuchField__c".into()),
        ..demo_settings()
    };
    assert_refused(
        &stack,
        unknown,
        "link_field",
        "Pardot has no custom prospect field noSuchField__c",
        "kein benutzerdefiniertes Interessentenfeld noSuchField__c",
    )
    .await;
    let not_text = SettingsInput {
        link_field: Some("optInBox__c".into()),
        ..demo_settings()
    };
    assert_refused(
        &stack,
        not_text,
        "link_field",
        "of type checkbox",
        "hat den Typ checkbox",
    )
    .await;
    let other_environment = SettingsInput {
        environment: PardotEnvironment::Sandbox,
        ..demo_settings()
    };
    assert_refused(
        &stack,
        other_environment,
        "environment",
        "connection was made for the production environment",
        "für die Umgebung production",
    )
    .await;
    let website = SettingsInput {
        link_field: Some("website".into()),
        ..demo_settings()
    };
    let (status, body) = stack
        .put_settings(&tenant(), &website, "en")
        .await
        .expect("put");
    assert_eq!(status, StatusCode::OK, "{body}");
    stack.stop().await;
}

#[tokio::test]
async fn the_business_unit_must_answer_on_the_environments_pardot_host() {
    let stack = stack().await;
    let tenant = tenant();
    // Connected as a sandbox: its business units live on pi.demo.pardot.com, and the demo
    // business unit is a production one.
    let authorize = stack
        .start_connect(&tenant, PardotEnvironment::Sandbox)
        .await
        .expect("connect");
    let callback = stack
        .consent(&authorize, Consent::Allow)
        .await
        .expect("consent");
    stack.finish_connect(&callback).await.expect("connected");
    let sandbox = SettingsInput {
        environment: PardotEnvironment::Sandbox,
        ..demo_settings()
    };

    assert_refused(
        &stack,
        sandbox,
        "business_unit_id",
        "Pardot at pi.demo.pardot.com does not know this Business Unit ID",
        "Pardot unter pi.demo.pardot.com kennt diese Business-Unit-ID nicht",
    )
    .await;
    let demo_host_calls = stack
        .sim
        .stats()
        .pardot
        .calls
        .calls_with_status("GET /api/v5/objects/account", "403");
    assert_eq!(demo_host_calls, 2, "one refused check per language");
    stack.stop().await;
}

#[tokio::test]
async fn a_body_that_is_not_settings_is_a_bad_request() {
    let stack = stack().await;
    let tenant = tenant();

    let response = stack
        .http
        .put(stack.api(&format!("/tenants/{tenant}/pardot/settings")))
        .bearer_auth(stack.admin_token(&tenant))
        .json(&json!({ "sync_enabled": "yes", "unknown": 1 }))
        .send()
        .await
        .expect("put");

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"], "invalid_request");
    stack.stop().await;
}
