//! The Import API: a multipart upload that is applied when ready, the two-step flow (open job,
//! batches, PATCH to Ready), the status read, and the errors of bad headers and bad rows.

use reqwest::Response;
use serde_json::{Value, json};

use crate::common::{BU, Pardot, json, pardot_error, sim};

const IMPORTS: &str = "/api/v5/imports";
const READ_FIELDS: &str = "id,status,updatedCount,errorCount";

/// A multipart body with the `input` part and, when given, a CSV `file` part.
fn multipart(input: &Value, csv: Option<&str>) -> (String, String) {
    let mut body = format!(
        "--BOUND\r\nContent-Disposition: form-data; name=\"input\"\r\n\
         Content-Type: application/json\r\n\r\n{input}\r\n"
    );
    if let Some(csv) = csv {
        body.push_str(&format!(
            "--BOUND\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.csv\"\r\n\
             Content-Type: text/csv\r\n\r\n{csv}\r\n"
        ));
    }
    body.push_str("--BOUND--\r\n");
    ("multipart/form-data; boundary=BOUND".to_owned(), body)
}

async fn upload(pardot: &Pardot, path: &str, input: &Value, csv: Option<&str>) -> Response {
    let (content_type, body) = multipart(input, csv);
    pardot
        .http
        .post(format!("{}{path}", pardot.base))
        .bearer_auth(&pardot.token)
        .header("Pardot-Business-Unit-Id", &pardot.bu)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

fn ready() -> Value {
    json!({"operation": "Upsert", "object": "Prospect", "createOnNoMatch": false,
           "status": "Ready"})
}

#[tokio::test]
async fn a_ready_upload_updates_existing_prospects_and_counts_bad_rows() {
    let sim = sim().await;
    let pardot = Pardot::new(&sim);
    let csv = "matchId,streamboxyLink__c\r\n1,https://join.example/a\r\n\
               2,\"https://join.example/b,c\"\r\n6,https://x\r\n999,https://y\r\n";

    let response = upload(&pardot, IMPORTS, &ready(), Some(csv)).await;

    assert_eq!(response.status(), 201);
    let created = json(response).await;
    assert_eq!(created["status"], "Complete");
    assert_eq!(created["updatedCount"], 2);
    // Prospect 6 is in the recycle bin and 999 does not exist: errors, nothing created.
    assert_eq!(created["errorCount"], 2);
    assert_eq!(
        sim.prospect_field(BU, 1, "streamboxyLink__c"),
        Some(json!("https://join.example/a"))
    );
    assert_eq!(
        sim.prospect_field(BU, 2, "streamboxyLink__c"),
        Some(json!("https://join.example/b,c"))
    );
    assert!(sim.prospect(BU, 999).is_none());

    let id = created["id"].as_i64().unwrap();
    let read = json(
        pardot
            .get(&format!("{IMPORTS}/{id}?fields={READ_FIELDS}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        read,
        json!({"id": id, "status": "Complete", "updatedCount": 2, "errorCount": 2})
    );
    let stats = sim.stats().pardot.calls;
    assert_eq!(stats.calls("POST /api/v5/imports"), 1);
    assert_eq!(stats.calls("GET /api/v5/imports/{id}"), 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn an_open_job_takes_batches_and_runs_when_marked_ready() {
    let sim = sim().await;
    let pardot = Pardot::new(&sim);
    let open = json!({"operation": "Upsert", "object": "Prospect"});

    let created = json(pardot.post(IMPORTS, open).send().await.unwrap()).await;
    assert_eq!(created["status"], "Open");
    let id = created["id"].as_i64().unwrap();
    let batch = format!("{IMPORTS}/{id}/batches");
    let response = upload(
        &pardot,
        &batch,
        &json!({}),
        Some("matchId,firstName\n4,Dora\n"),
    )
    .await;
    assert_eq!(response.status(), 204);
    assert_eq!(
        sim.prospect_field(BU, 4, "firstName"),
        Some(json!("Dee")),
        "nothing applied before Ready"
    );

    let done = json(
        pardot
            .patch(&format!("{IMPORTS}/{id}"), json!({"status": "Ready"}))
            .send()
            .await
            .unwrap(),
    )
    .await;

    assert_eq!(done["status"], "Complete");
    assert_eq!(sim.prospect_field(BU, 4, "firstName"), Some(json!("Dora")));
    let again = pardot
        .patch(&format!("{IMPORTS}/{id}"), json!({"status": "Ready"}))
        .send()
        .await
        .unwrap();
    assert_eq!(pardot_error(again).await, (400, 154));
    sim.shutdown().await;
}

#[tokio::test]
async fn bad_headers_inputs_and_reads_get_pardot_codes() {
    let sim = sim().await;
    let pardot = Pardot::new(&sim);

    let unknown = upload(&pardot, IMPORTS, &ready(), Some("matchId,nope__c\n1,x\n")).await;
    assert_eq!(pardot_error(unknown).await, (400, 154));
    let read_only = upload(&pardot, IMPORTS, &ready(), Some("matchId,score\n1,5\n")).await;
    assert_eq!(pardot_error(read_only).await, (400, 154));
    let no_match = upload(
        &pardot,
        IMPORTS,
        &ready(),
        Some("email,firstName\na@b.c,A\n"),
    )
    .await;
    assert_eq!(pardot_error(no_match).await, (400, 154));
    let no_operation = upload(&pardot, IMPORTS, &json!({"object": "Prospect"}), None).await;
    assert_eq!(pardot_error(no_operation).await, (400, 153));

    let missing_fields = pardot.get(&format!("{IMPORTS}/1")).send().await.unwrap();
    assert_eq!(pardot_error(missing_fields).await, (400, 13));
    let unknown_job = pardot
        .get(&format!("{IMPORTS}/4242?fields=id"))
        .send()
        .await
        .unwrap();
    assert_eq!(pardot_error(unknown_job).await, (404, 109));
    sim.shutdown().await;
}
