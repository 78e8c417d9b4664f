//! Property tests: the page and warning decoders never panic, whatever Pardot sends.

use proptest::prelude::*;
use sbxy_pardot_client::PardotWarning;
use sbxy_pardot_client::model::ListMembership;
use sbxy_pardot_client::paging::QueryEnvelope;
use serde_json::{Map, Value, json};

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|n| json!(n)),
        ".{0,12}".prop_map(Value::String),
        Just(json!("2025-05-16T11:27:08-07:00")),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        let keys = prop_oneof![
            Just("id".to_owned()),
            Just("listId".to_owned()),
            Just("prospectId".to_owned()),
            Just("createdAt".to_owned()),
            Just("updatedAt".to_owned()),
            Just("prospect".to_owned()),
            Just("email".to_owned()),
            Just("values".to_owned()),
            Just("nextPageToken".to_owned()),
            "[a-zA-Z_]{1,8}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((keys, inner), 0..6)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

proptest! {
    #[test]
    fn page_decoder_never_panics(value in any_json()) {
        let bytes = serde_json::to_vec(&value).expect("serialize");
        let _ = QueryEnvelope::<ListMembership>::decode(200, &bytes);
    }

    #[test]
    fn membership_values_never_panic(values in prop::collection::vec(any_json(), 0..4)) {
        let body = json!({"nextPageToken": null, "nextPageUrl": null, "values": values});
        let bytes = serde_json::to_vec(&body).expect("serialize");
        let _ = QueryEnvelope::<ListMembership>::decode(200, &bytes);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        let _ = QueryEnvelope::<ListMembership>::decode(200, &bytes);
    }

    #[test]
    fn warning_parser_never_panics(header in ".{0,80}") {
        let warnings = PardotWarning::parse_header(&header);
        prop_assert!(warnings.len() <= header.len() + 1);
    }
}
