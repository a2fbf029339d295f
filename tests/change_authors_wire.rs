//! `CloudTrailAuthors` over the real SDK and its real wire: the client `clients::cloudtrail_client`
//! builds (us-east-1, the endpoint from the SDK config as aws-config gives it for
//! `AWS_ENDPOINT_URL_CLOUDTRAIL`) against a stub of CloudTrail's JSON protocol on 127.0.0.1, so the
//! request's target, region and lookup attribute, and the answer's epoch times and
//! `CloudTrailEvent` string, are the service's own shapes.

use std::sync::{Arc, Mutex};

use aws_config::{BehaviorVersion, Region};
use aws_sdk_cloudtrail::config::{Credentials, SharedCredentialsProvider};
use cutover::backend::aws::CloudTrailAuthors;
use cutover::backend::aws::clients::cloudtrail_client;
use cutover::backend::change_authors::ChangeAuthors;
use cutover::backend::pacer::Pacer;
use jiff::Timestamp;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;

/// One request as the stub received it: its head (header names as sent) and body.
#[derive(Clone, Debug, Default)]
struct Seen {
    head: String,
    body: String,
}

/// Answer every request on `listener` with `answer`, keeping what was asked.
async fn serve(listener: TcpListener, answer: String, seen: Arc<Mutex<Vec<Seen>>>) {
    while let Ok((mut socket, _)) = listener.accept().await {
        let mut bytes = Vec::new();
        let mut buf = [0u8; 4096];
        let (head, body_len) = loop {
            let n = socket.read(&mut buf).await.unwrap_or(0);
            if n == 0 {
                return;
            }
            bytes.extend_from_slice(&buf[..n]);
            if let Some(end) = bytes.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&bytes[..end]).to_string();
                let length = head
                    .lines()
                    .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_string()))
                    .and_then(|v| v.parse::<usize>().ok())
                    .unwrap_or(0);
                bytes.drain(..end + 4);
                break (head, length);
            }
        };
        while bytes.len() < body_len {
            let n = socket.read(&mut buf).await.unwrap_or(0);
            if n == 0 {
                break;
            }
            bytes.extend_from_slice(&buf[..n]);
        }
        seen.lock().unwrap().push(Seen { head, body: String::from_utf8_lossy(&bytes).to_string() });
        let response = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\n\r\n{}",
            answer.len(),
            answer
        );
        let _ = socket.write_all(response.as_bytes()).await;
    }
}

#[tokio::test]
async fn a_lookup_goes_to_cloudtrail_in_us_east_1_and_reads_its_answer() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let record = json!({
        "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/alice", "userName": "alice"},
        "eventName": "UpdateDistribution",
        "userAgent": "aws-cli/2.15.0",
        "requestParameters": {"id": "E2ABCDEF12345", "ifMatch": "EOLD"},
        "responseElements": {"eTag": "ENEW"}
    });
    let answer = json!({"Events": [
        {"EventId": "ev-1", "EventName": "UpdateDistribution", "EventTime": 1_765_098_000.5,
         "Username": "alice", "CloudTrailEvent": record.to_string()}
    ]})
    .to_string();
    let seen = Arc::new(Mutex::new(Vec::new()));
    tokio::spawn(serve(listener, answer, Arc::clone(&seen)));

    // The operator's region is elsewhere: CloudFront's events are read in us-east-1 all the same.
    let sdk = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("eu-west-1"))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::for_tests()))
        .endpoint_url(format!("http://127.0.0.1:{port}"))
        .load()
        .await;
    let authors = CloudTrailAuthors::new(cloudtrail_client(&sdk), Arc::new(Pacer::new(2)));
    let from: Timestamp = "2026-12-07T09:00:00Z".parse().unwrap();
    let to: Timestamp = "2026-12-07T09:30:00Z".parse().unwrap();

    let writes = authors.writes("E2ABCDEF12345", from, to).await.unwrap();

    assert_eq!(writes.len(), 1);
    assert_eq!(writes[0].who, "arn:aws:iam::123456789012:user/alice");
    assert_eq!((writes[0].etag_before.as_deref(), writes[0].etag.as_deref()), (Some("EOLD"), Some("ENEW")));
    assert_eq!(writes[0].time, Timestamp::from_millisecond(1_765_098_000_500).unwrap());
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    let head = seen[0].head.to_ascii_lowercase();
    assert!(head.contains("x-amz-target: cloudtrail_20131101.lookupevents"), "{head}");
    // No SDK retries: the pacer counts every call.
    assert!(head.contains("amz-sdk-request: attempt=1; max=1"), "{head}");
    assert!(head.contains("/us-east-1/cloudtrail/aws4_request"), "signed for us-east-1: {head}");
    let body: Value = serde_json::from_str(&seen[0].body).unwrap();
    assert_eq!(body["LookupAttributes"], json!([{"AttributeKey": "ResourceName", "AttributeValue": "E2ABCDEF12345"}]));
    assert_eq!(body["StartTime"], json!(from.as_second()));
    assert_eq!(body["EndTime"], json!(to.as_second()));
}
