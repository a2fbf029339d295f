//! Notifications to an SNS topic (issue 23) on moto: a topic made with the SDK, the notifier's
//! `Publish`, and what moto received read back from its `/moto-api/data.json` (each topic's
//! `sent_notifications`: message id, message, subject). `AWS_ENDPOINT_URL_SNS` is checked in a
//! child process, so that no test changes this process's environment.

mod support;

use std::io::{Read as _, Write as _};
use std::sync::{Arc, Mutex};

use cutover::backend::notify::{NotifierOptions, NotifyReport, Target, sns_client, spawn_notifier};
use cutover::clock::Clock;
use cutover::notify::{Notice, NotifyOn};
use support::emulators::{moto, sdk_config};

const REGION: &str = "eu-west-1";

/// A new topic on moto: its ARN.
async fn new_topic(name: &str) -> String {
    let client = aws_sdk_sns::Client::new(&sdk_config(&moto(), REGION));
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let created = client.create_topic().name(format!("{name}-{nanos}")).send().await.unwrap();
    created.topic_arn().unwrap().to_string()
}

/// `(message, subject)` of everything moto says `topic_arn` was sent.
fn sent_to(topic_arn: &str) -> Vec<(String, Option<String>)> {
    let endpoint = moto();
    let address = endpoint.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    let request = format!("GET /moto-api/data.json HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let response = String::from_utf8_lossy(&response);
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    assert!(!head.to_ascii_lowercase().contains("transfer-encoding: chunked"), "a chunked answer: {head}");
    let data: serde_json::Value = serde_json::from_str(body).unwrap();
    let topics = data["sns"]["Topic"].as_array().cloned().unwrap_or_default();
    let topic = topics.iter().find(|t| t["arn"] == topic_arn).unwrap_or_else(|| panic!("moto has no {topic_arn}"));
    (topic["sent_notifications"].as_array().unwrap().iter())
        .map(|n| (n[1].as_str().unwrap().to_string(), n[2].as_str().map(String::from)))
        .collect()
}

fn notice(route: &str) -> Notice {
    Notice::outside_change(route, "λ Lambda", "◼ origin", Some("carol"), "E2ABC")
}

#[tokio::test]
async fn a_notice_is_published_to_the_topic_with_a_subject() {
    let arn = new_topic("oncall").await;
    let reports = Arc::new(Mutex::new(Vec::<NotifyReport>::new()));
    let log = Arc::clone(&reports);
    let options = NotifierOptions::new(NotifyOn::default_set(), Clock::real(), move |r| log.lock().unwrap().push(r));
    // The SDK config says another region: the client takes the topic's, from its ARN.
    let client = sns_client(&sdk_config(&moto(), "us-west-2"), &arn);
    let notifier = spawn_notifier(vec![Target::Sns { client, topic_arn: arn.clone() }], options);
    notifier.send(notice("/x/*"));
    notifier.send(notice("/y/*"));
    notifier.flush().await;
    assert!(reports.lock().unwrap().is_empty(), "{:?}", reports.lock().unwrap());
    let sent = sent_to(&arn);
    assert_eq!(sent.len(), 1, "one message for the second's two notices: {sent:?}");
    assert_eq!(
        sent[0].0,
        "carol: /x/* changed outside cutover: λ Lambda → ◼ origin on E2ABC\ncarol: /y/* changed outside cutover: λ Lambda → ◼ origin on E2ABC"
    );
    assert_eq!(sent[0].1.as_deref(), Some("cutover: 2 notices on E2ABC"));
}

#[tokio::test]
async fn a_topic_that_does_not_exist_is_reported() {
    let arn = "arn:aws:sns:eu-west-1:123456789012:nobody-here".to_string();
    let reports = Arc::new(Mutex::new(Vec::<NotifyReport>::new()));
    let log = Arc::clone(&reports);
    let options = NotifierOptions::new(NotifyOn::default_set(), Clock::real(), move |r| log.lock().unwrap().push(r));
    let client = sns_client(&sdk_config(&moto(), REGION), &arn);
    let notifier = spawn_notifier(vec![Target::Sns { client, topic_arn: arn }], options);
    notifier.send(notice("/x/*"));
    notifier.flush().await;
    let reports = reports.lock().unwrap().clone();
    assert!(
        matches!(reports.as_slice(), [NotifyReport::Failed { why, .. }] if why.contains("NotFound")),
        "{reports:?}"
    );
}

#[tokio::test]
async fn the_sns_endpoint_is_taken_from_the_environment() {
    let arn = new_topic("from-env").await;
    let env = [("CUTOVER_TEST_TOPIC_ARN", arn.as_str()), ("AWS_REGION", "ap-south-1")];
    assert!(support::emulators::child_with_endpoint(
        "sns_endpoint_from_the_environment_child",
        "AWS_ENDPOINT_URL_SNS",
        &env
    ));
    assert_eq!(sent_to(&arn).len(), 1);
}

#[tokio::test]
#[ignore = "run by the_sns_endpoint_is_taken_from_the_environment, in its environment"]
async fn sns_endpoint_from_the_environment_child() {
    let arn = std::env::var("CUTOVER_TEST_TOPIC_ARN").unwrap();
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest()).load().await;
    let reports = Arc::new(Mutex::new(Vec::<NotifyReport>::new()));
    let log = Arc::clone(&reports);
    let options = NotifierOptions::new(NotifyOn::default_set(), Clock::real(), move |r| log.lock().unwrap().push(r));
    let notifier = spawn_notifier(vec![Target::Sns { client: sns_client(&sdk, &arn), topic_arn: arn }], options);
    notifier.send(notice("/x/*"));
    notifier.flush().await;
    assert!(reports.lock().unwrap().is_empty(), "{:?}", reports.lock().unwrap());
}
