//! Pardot objects: nested prospect fields on memberships, membership create/reactivate/
//! opt-out/delete, prospect PATCH and e-mail query, lists, custom fields, folders, account,
//! external activities.

use serde_json::{Value, json};

use crate::common::{BU, Pardot, json, pardot_error, sim, sim_with};

const MEMBERS: &str = "/api/v5/objects/list-memberships";
const NESTED: &str = "id,prospectId,prospect.email,prospect.firstName,prospect.lastName,\
                      prospect.streamboxyLink__c";

fn by_id(page: &Value, id: i64) -> Value {
    page["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == json!(id))
        .cloned()
        .unwrap_or(Value::Null)
}

#[tokio::test]
async fn memberships_carry_nested_prospect_fields() {
    let sim = sim().await;
    let pardot = Pardot::new(&sim);
    let page = json(
        pardot
            .get(&format!("{MEMBERS}?fields={NESTED}&listId=10"))
            .send()
            .await
            .unwrap(),
    )
    .await;

    assert_eq!(
        by_id(&page, 101),
        json!({"id": 101, "prospectId": 1, "prospect": {
            "email": "ann@example.com", "firstName": "Ann", "lastName": "Alpha",
            "streamboxyLink__c": null}})
    );
    assert_eq!(
        by_id(&page, 102)["prospect"]["email"],
        json!(" Bob@Example.com ")
    );
    assert_eq!(by_id(&page, 102)["prospect"]["lastName"], Value::Null);
    assert_eq!(
        by_id(&page, 102)["prospect"]["streamboxyLink__c"],
        json!("https://old.example/x")
    );
    // Prospect 6 is in the recycle bin: unreadable, so the nested object is null.
    assert_eq!(by_id(&page, 105)["prospect"], Value::Null);
    sim.shutdown().await;

    let sim = sim_with(|c| c.pardot.nest_deleted_prospects = true).await;
    let pardot = Pardot::new(&sim);
    let page = json(
        pardot
            .get(&format!("{MEMBERS}?fields=id,prospect.isDeleted&listId=10"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(by_id(&page, 105)["prospect"], json!({"isDeleted": true}));
    sim.shutdown().await;
}

#[tokio::test]
async fn membership_create_reactivate_opt_out_and_delete() {
    let sim = sim().await;
    let pardot = Pardot::new(&sim);

    let created = pardot
        .post(MEMBERS, json!({"listId": 11, "prospectId": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    assert!(
        created.headers()["location"]
            .to_str()
            .unwrap()
            .contains(MEMBERS)
    );
    let created = json(created).await;
    assert_eq!(created["listId"], json!(11));
    let new_id = created["id"].as_i64().unwrap();

    // The archived row 106 (list 11, prospect 5) comes back with the same id.
    let revived = pardot
        .post(
            &format!("{MEMBERS}?fields=id,isDeleted"),
            json!({"listId": 11, "prospectId": 5}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(revived.status(), 201);
    assert_eq!(json(revived).await, json!({"id": 106, "isDeleted": false}));

    let patch = pardot
        .patch(
            &format!("{MEMBERS}/{new_id}?fields=optedOut"),
            json!({"optedOut": true}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(json(patch).await, json!({"optedOut": true}));
    assert_eq!(
        pardot
            .delete(&format!("{MEMBERS}/{new_id}"))
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    let rows = sim.list_memberships(BU, 11);
    let row = rows.iter().find(|m| m.id == new_id).unwrap();
    assert!(row.is_deleted && row.opted_out);

    let dynamic = pardot
        .post(MEMBERS, json!({"listId": 12, "prospectId": 1}))
        .send();
    assert_eq!(pardot_error(dynamic.await.unwrap()).await, (400, 180));
    sim.shutdown().await;
}

#[tokio::test]
async fn prospect_patch_writes_the_link_field() {
    let sim = sim().await;
    let pardot = Pardot::new(&sim);
    let link = "http://127.0.0.1:1/join/abc?event=e1";

    let silent = pardot
        .patch(
            "/api/v5/objects/prospects/1",
            json!({"streamboxyLink__c": link}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(silent.status(), 204);
    assert_eq!(
        sim.prospect_field(BU, 1, "streamboxyLink__c"),
        Some(json!(link))
    );

    let echoed = pardot
        .patch(
            "/api/v5/objects/prospects/4?fields=id,streamboxyLink__c",
            json!({"streamboxyLink__c": link}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(echoed.status(), 200);
    assert_eq!(
        json(echoed).await,
        json!({"id": 4, "streamboxyLink__c": link})
    );

    let unknown = pardot
        .patch("/api/v5/objects/prospects/1", json!({"bogus__c": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 400);
    let body = json(unknown).await;
    assert_eq!(body["code"], json!(154));
    assert_eq!(
        body["message"],
        json!("Invalid property in request: bogus__c")
    );
    let missing = pardot.patch("/api/v5/objects/prospects/999", json!({"firstName": "X"}));
    assert_eq!(
        pardot_error(missing.send().await.unwrap()).await,
        (404, 109)
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn prospects_by_email_create_and_delete() {
    let sim = sim().await;
    let pardot = Pardot::new(&sim);

    let found = pardot
        .get("/api/v5/objects/prospects?fields=id,email&email=BOB%40example.com")
        .send()
        .await
        .unwrap();
    let ids: Vec<Value> = json(found).await["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].clone())
        .collect();
    assert_eq!(ids, vec![json!(2), json!(3)]);

    let created = pardot
        .post(
            "/api/v5/objects/prospects",
            json!({"email": "new@example.com", "firstName": "N"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let body = json(created).await;
    let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    assert_eq!(keys, vec!["email", "firstName", "id", "lastName"]);
    let bad = pardot.post(
        "/api/v5/objects/prospects",
        json!({"email": "not an email"}),
    );
    assert_eq!(pardot_error(bad.send().await.unwrap()).await, (400, 4));

    let id = body["id"].as_i64().unwrap();
    let path = format!("/api/v5/objects/prospects/{id}");
    assert_eq!(pardot.delete(&path).send().await.unwrap().status(), 204);
    assert!(sim.prospect(BU, id).unwrap().is_deleted);
    let undo = pardot
        .post(&format!("{path}/do/undelete"), json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(undo.status(), 204);
    assert!(!sim.prospect(BU, id).unwrap().is_deleted);
    sim.shutdown().await;
}

#[tokio::test]
async fn lists_create_query_and_archive() {
    let sim = sim().await;
    let pardot = Pardot::new(&sim);

    let created = pardot
        .post(
            "/api/v5/objects/lists?fields=id,name,folderId,isDynamic",
            json!({"name": "Webinar Show", "folderId": 100}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let body = json(created).await;
    assert_eq!(body["name"], json!("Webinar Show"));
    assert_eq!(body["folderId"], json!(100));
    assert_eq!(body["isDynamic"], json!(false));
    let id = body["id"].as_i64().unwrap();
    assert_eq!(sim.lists_named(BU, "Webinar Show").len(), 1);

    assert_eq!(
        pardot
            .delete(&format!("/api/v5/objects/lists/{id}"))
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    let page = json(
        pardot
            .get("/api/v5/objects/lists?fields=id,name,folder.name")
            .send()
            .await
            .unwrap(),
    )
    .await;
    let names: Vec<&str> = page["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Webinar", "Other", "Dynamic"]);
    assert_eq!(page["values"][0]["folder"], json!({"name": "Events"}));
    let gone = pardot
        .get(&format!("/api/v5/objects/lists/{id}?fields=id"))
        .send();
    assert_eq!(pardot_error(gone.await.unwrap()).await, (404, 109));
    sim.shutdown().await;
}

#[tokio::test]
async fn account_custom_fields_and_folders() {
    let sim = sim().await;
    let pardot = Pardot::new(&sim);

    let account = pardot
        .get("/api/v5/objects/account?fields=id,company")
        .send()
        .await
        .unwrap();
    assert_eq!(account.status(), 200);
    assert!(json(account).await["id"].is_i64());

    let fields = pardot
        .get("/api/v5/objects/custom-fields?fields=id,fieldId,name,type,isRequired")
        .send()
        .await
        .unwrap();
    assert_eq!(
        json(fields).await["values"],
        json!([{"id": 500, "fieldId": "streamboxyLink", "name": "STREAMBOXY Link",
                "type": "text", "isRequired": false}])
    );

    let folders = pardot
        .get("/api/v5/objects/folders/100?fields=id,path")
        .send()
        .await
        .unwrap();
    assert_eq!(json(folders).await, json!({"id": 100, "path": "/Events"}));
    sim.shutdown().await;
}

#[tokio::test]
async fn external_activities_are_validated_and_stored() {
    let sim = sim().await;
    let pardot = Pardot::new(&sim);
    let path = "/api/v5/external-activities";
    let activity = |extension: &str, kind: &str, email: &str, value: &str| {
        json!({"extension": extension, "type": kind, "email": email, "value": value,
               "activityDate": "2026-11-30T10:00:00-07:00"})
    };

    let ok = pardot
        .post(
            path,
            activity("STREAMBOXY", "Show", "ANN@example.com", "event-1"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 201);
    assert_eq!(json(ok).await["prospectId"], json!(1));

    let inactive = pardot.post(path, activity("STREAMBOXY", "Old", "ann@example.com", "x"));
    assert_eq!(
        pardot_error(inactive.send().await.unwrap()).await,
        (400, 154)
    );
    let unknown = pardot.post(path, activity("Nope", "Show", "ann@example.com", "x"));
    assert_eq!(
        pardot_error(unknown.send().await.unwrap()).await,
        (400, 154)
    );
    let long = "x".repeat(101);
    let too_long = pardot.post(
        path,
        activity("STREAMBOXY", "Show", "ann@example.com", &long),
    );
    assert_eq!(
        pardot_error(too_long.send().await.unwrap()).await,
        (400, 154)
    );
    let nobody = pardot.post(path, activity("STREAMBOXY", "Show", "who@example.com", "x"));
    assert_eq!(pardot_error(nobody.send().await.unwrap()).await, (400, 4));

    let listed = pardot
        .get(&format!("{path}?fields=id,type,value"))
        .send()
        .await
        .unwrap();
    assert_eq!(json(listed).await["values"][0]["value"], json!("event-1"));
    let state = sim.pardot_state();
    assert_eq!(
        state["business_units"][0]["external_activities"][0]["type"],
        json!("Show")
    );
    sim.shutdown().await;
}
