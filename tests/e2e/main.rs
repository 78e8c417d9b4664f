//! End-to-end tests of the main job: the product's sync core, talking to a real moto_server
//! and to the simulators over HTTP, exactly as the Lambdas do. Each test starts its own stack
//! on free loopback ports, so tests run in parallel without sharing state.

mod admin_attendance;
mod admin_auth;
mod admin_common;
mod admin_connect;
mod admin_disconnect;
mod admin_logs;
mod admin_settings;
mod admin_status;
mod admin_tokens;
mod attendance_activities;
mod attendance_common;
mod attendance_lists;
mod attendance_poller;
mod attendance_webhook;
mod bench_smoke;
mod bulk_import;
mod faults;
mod interrupted;
mod no_scan;
mod paging;
mod scale;
mod sync;
mod token_shards;
