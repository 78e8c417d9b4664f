//! Property tests: the decoders of pages, events, attendance and the rest never panic,
//! whatever JSON (or non-JSON) arrives, and well-formed events always decode.

use proptest::prelude::*;
use serde_json::{Map, Value, json};

use sbxy_streamboxy_client::model::decode;
use sbxy_streamboxy_client::{
    AccessLink, Attendance, Event, EventState, Page, PropertyDefinition, User,
};

/// Field names of the contract, so generated objects often look almost right.
const KEYS: &[&str] = &[
    "id",
    "title",
    "state",
    "startDateTimeUtc",
    "endDateTimeUtc",
    "timeZone",
    "customProperties",
    "rowVersion",
    "count",
    "result",
    "userId",
    "email",
    "attended",
    "firstJoinDateTimeUtc",
    "minutesAttended",
    "url",
    "expiresDateTimeUtc",
    "internalName",
    "visible",
];

/// Strings that exercise the custom parsers: states and timestamps, right and nearly right.
const TRICKY: &[&str] = &[
    "Live",
    "finished",
    "OpenForSpeakers",
    "",
    " ",
    "2027-03-01T09:00:00.000Z",
    "2027-03-01T09:00:00",
    "2027-02-30T09:00:00Z",
    "9999-12-31T23:59:59.9999999",
    "+275760-09-13T00:00:00Z",
    "2027-03-01T09:00:00+99:00",
    "\u{0}",
    "💥",
];

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f)
            .map(Value::Number)),
        any::<String>().prop_map(Value::from),
        prop::sample::select(TRICKY).prop_map(Value::from),
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(KEYS).prop_map(str::to_owned),
        1 => "[a-zA-Z]{0,8}",
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::btree_map(key(), inner, 0..10)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// `{"count": …, "result": [objects with contract keys]}` with arbitrary values.
fn page_like() -> impl Strategy<Value = Value> {
    let item = prop::collection::btree_map(key(), json_value(), 0..12)
        .prop_map(|map| Value::Object(map.into_iter().collect()));
    (json_value(), prop::collection::vec(item, 0..5))
        .prop_map(|(count, result)| json!({ "count": count, "result": result }))
}

fn decode_everything(bytes: &[u8]) {
    let _ = decode::<Page<Event>>(200, bytes);
    let _ = decode::<Event>(200, bytes);
    let _ = decode::<Page<Attendance>>(200, bytes);
    let _ = decode::<Page<User>>(200, bytes);
    let _ = decode::<Page<PropertyDefinition>>(200, bytes);
    let _ = decode::<AccessLink>(200, bytes);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn decoders_never_panic_on_arbitrary_json(value in prop_oneof![json_value(), page_like()]) {
        let bytes = serde_json::to_vec(&value).expect("a Value always encodes");
        decode_everything(&bytes);
    }

    #[test]
    fn decoders_never_panic_on_arbitrary_bytes(
        bytes in prop::collection::vec(any::<u8>(), 0..256),
    ) {
        decode_everything(&bytes);
    }

    #[test]
    fn well_formed_events_always_decode(
        id in "[0-9a-f-]{1,36}",
        state in any::<String>(),
        props in prop::collection::btree_map("[A-Za-z]{1,12}", any::<String>(), 0..6),
    ) {
        let body = json!({
            "count": 1,
            "result": [{
                "id": id, "title": "T", "state": state,
                "startDateTimeUtc": "2027-03-01T09:00:00.000Z", "endDateTimeUtc": null,
                "customProperties": props
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
                    .collect::<Map<String, Value>>(),
            }]
        });

        let page = decode::<Page<Event>>(200, body.to_string().as_bytes()).expect("decodes");
        let event = &page.result[0];

        prop_assert_eq!(&event.state, &EventState::parse(&state));
        for (name, value) in &props {
            prop_assert_eq!(event.property_str(name), Some(value.as_str()));
        }
    }
}
