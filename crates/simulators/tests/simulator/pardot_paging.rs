//! Keyset paging: full pages carry a token, an exactly-full last page is followed by an empty
//! one, token rules, the chain ceiling, ordering, filters and the read lag.

use serde_json::{Value, json};

use crate::common::{Pardot, json, pardot_error, sim, sim_with};

const MEMBERS: &str = "/api/v5/objects/list-memberships";

fn ids(page: &Value) -> Vec<i64> {
    page["values"]
        .as_array()
        .expect("values array")
        .iter()
        .map(|v| v["id"].as_i64().expect("id"))
        .collect()
}

#[tokio::test]
async fn exactly_full_last_page_is_followed_by_an_empty_page() {
    let sim = sim().await;
    let pardot = Pardot::new(&sim);

    let first = json(
        pardot
            .get(&format!(
                "{MEMBERS}?fields=id,prospectId&listId=10&limit=5&orderBy=id"
            ))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(ids(&first), vec![101, 102, 103, 104, 105]);
    let token = first["nextPageToken"]
        .as_str()
        .expect("a full page carries a token");
    let next_url = first["nextPageUrl"].as_str().expect("and a next page URL");
    let in_url = token.replace('+', "%2B").replace('/', "%2F");
    assert_eq!(
        next_url,
        format!(
            "{}{MEMBERS}?fields=id,prospectId&nextPageToken={in_url}",
            sim.pardot_url
        )
    );

    let second = json(pardot.get(next_url).send().await.unwrap()).await;
    assert_eq!(
        second,
        json!({"nextPageToken": null, "nextPageUrl": null, "values": []})
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn short_last_page_has_no_token_and_pages_never_overlap() {
    let sim = sim().await;
    let pardot = Pardot::new(&sim);

    let mut url = format!("{MEMBERS}?fields=id&listId=10&limit=2&orderBy=updatedAt%20ASC");
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let page = json(pardot.get(&url).send().await.unwrap()).await;
        pages += 1;
        seen.extend(ids(&page));
        match page["nextPageUrl"].as_str() {
            Some(next) => url = next.to_owned(),
            None => break,
        }
    }

    // updatedAt ASC with the id tie-breaker: 102 and 103 share a second.
    assert_eq!(seen, vec![102, 103, 104, 105, 101]);
    assert_eq!(pages, 3);
    sim.shutdown().await;
}

#[tokio::test]
async fn token_rules_limit_and_expiry() {
    let sim = sim().await;
    let pardot = Pardot::new(&sim);
    let first = json(
        pardot
            .get(&format!("{MEMBERS}?fields=id&listId=10&limit=1"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let token = first["nextPageToken"].as_str().unwrap().to_owned();
    let encoded = token
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D");

    // A token travels only with fields.
    let with_limit = pardot
        .get(&format!(
            "{MEMBERS}?fields=id&nextPageToken={encoded}&limit=5"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(pardot_error(with_limit).await, (400, 51));
    let with_filter = pardot
        .get(&format!(
            "{MEMBERS}?fields=id&nextPageToken={encoded}&listId=10"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(pardot_error(with_filter).await, (400, 51));

    // Garbage, and a token of another object, are invalid.
    let garbage = pardot
        .get(&format!("{MEMBERS}?fields=id&nextPageToken=bm9wZQ"))
        .send();
    assert_eq!(pardot_error(garbage.await.unwrap()).await, (400, 211));
    let foreign = pardot
        .get(&format!(
            "/api/v5/objects/lists?fields=id&nextPageToken={encoded}"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(pardot_error(foreign).await, (400, 211));

    // Replaying works until the token is 4 hours old.
    let replay = pardot
        .get(&format!("{MEMBERS}?fields=id&nextPageToken={encoded}"))
        .send();
    assert_eq!(ids(&json(replay.await.unwrap()).await), vec![102]);
    sim.advance_clock(4 * 3600 + 1);
    let pardot = Pardot::new(&sim); // the old access token expired too
    let expired = pardot
        .get(&format!("{MEMBERS}?fields=id&nextPageToken={encoded}"))
        .send();
    assert_eq!(pardot_error(expired.await.unwrap()).await, (400, 210));
    sim.shutdown().await;
}

#[tokio::test]
async fn chain_stops_at_the_ceiling_with_a_warning() {
    let sim = sim_with(|c| c.pardot.page_chain_ceiling = 3).await;
    let pardot = Pardot::new(&sim);

    let first = pardot
        .get(&format!("{MEMBERS}?fields=id&listId=10&limit=2"))
        .send()
        .await
        .unwrap();
    assert!(first.headers().get("Pardot-Warning").is_none());
    let first = json(first).await;
    let next = first["nextPageUrl"].as_str().unwrap();
    let second = pardot.get(next).send().await.unwrap();
    let warning = second.headers()["Pardot-Warning"]
        .to_str()
        .unwrap()
        .to_owned();
    let second = json(second).await;

    assert!(warning.contains("Record count for nextPageToken sequence has been exceeded"));
    assert_eq!(warning, sbxy_simulators::CEILING_WARNING);
    assert_eq!(ids(&second), vec![103]);
    assert!(second["nextPageToken"].is_null());
    assert!(second["nextPageUrl"].is_null());
    sim.shutdown().await;
}

#[tokio::test]
async fn deleted_filter_and_time_zone_rendering() {
    let sim = sim().await;
    let pardot = Pardot::new(&sim);
    let query = |deleted: &str| {
        pardot
            .get(&format!(
                "{MEMBERS}?fields=id,isDeleted,updatedAt&listId=11{deleted}"
            ))
            .send()
    };

    assert_eq!(
        ids(&json(query("").await.unwrap()).await),
        Vec::<i64>::new()
    );
    let archived = json(query("&deleted=true").await.unwrap()).await;
    assert_eq!(ids(&archived), vec![106]);
    assert_eq!(archived["values"][0]["isDeleted"], json!(true));
    assert_eq!(
        archived["values"][0]["updatedAt"],
        json!("2026-11-21T03:00:00-07:00")
    );
    assert_eq!(
        ids(&json(query("&deleted=all").await.unwrap()).await),
        vec![106]
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn time_filters_parse_offsets() {
    let sim = sim().await;
    let pardot = Pardot::new(&sim);

    // 12:00:03+02:00 is 10:00:03Z.
    let page = pardot
        .get(&format!(
            "{MEMBERS}?fields=id&listId=10&updatedAtAfterOrEqualTo=2026-11-21T12:00:03%2B02:00\
             &orderBy=updatedAt"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(ids(&json(page).await), vec![104, 105, 101]);

    // An unencoded '+' arrives as a space: invalid parameter, not a silent mismatch.
    let raw_plus = pardot
        .get(&format!(
            "{MEMBERS}?fields=id&updatedAtAfter=2026-11-21T12:00:03+02:00"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(pardot_error(raw_plus).await, (400, 51));
    sim.shutdown().await;
}

#[tokio::test]
async fn read_lag_hides_fresh_writes() {
    let sim = sim_with(|c| c.pardot.read_lag_secs = 60).await;
    let pardot = Pardot::new(&sim);
    let created = pardot
        .post(MEMBERS, json!({"listId": 11, "prospectId": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let query = || pardot.get(&format!("{MEMBERS}?fields=id&listId=11")).send();

    assert!(ids(&json(query().await.unwrap()).await).is_empty());
    sim.advance_clock(61);
    assert_eq!(ids(&json(query().await.unwrap()).await).len(), 1);
    sim.shutdown().await;
}
