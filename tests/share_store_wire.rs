//! The router's KeyValueStore over the real SDK and its real wire: `KvsShareStore` against a stub of
//! the KVS data plane (REST-JSON) on 127.0.0.1. The stub keeps a store, hands out ETags, pages
//! `ListKeys` two keys at a time, refuses a stale `If-Match` as the service does, and keeps every
//! request it got, so the tests check what went over the wire: the SigV4A signature (region set
//! `*`), the `If-Match`, the paging, the host the endpoint rules made, and `set_shares` end to end.
//!
//! Reaching the stub: the SDK's own endpoint rules run unchanged. With the endpoint URL
//! `http://localhost:PORT` and a store ARN of account 123456789012 they make
//! `http://123456789012.localhost:PORT` (the account in front of the host, as in
//! `https://123456789012.cloudfront-kvs.global.api.aws`), a name this machine's resolver does not
//! know. So the client is the SDK's own hyper 1 / rustls one, built with a DNS resolver that answers
//! `localhost` and `*.localhost` with 127.0.0.1 and refuses every other name: nothing leaves the
//! machine, and the stub sees the Host header the rules made.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_cloudfrontkeyvaluestore::config::{Credentials, SharedCredentialsProvider};
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use aws_smithy_runtime_api::client::dns::{DnsFuture, ResolveDns, ResolveDnsError};
use cutover::backend::BackendError;
use cutover::backend::aws::KvsShareStore;
use cutover::backend::share::{ShareChange, ShareStore, set_shares};
use cutover::router::RouteRecord;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

const ACCOUNT: &str = "123456789012";
const ARN: &str = "arn:aws:cloudfront::123456789012:key-value-store/327284aa-bcd5-499f-a3ff-26b9a9d31b58";
const ACCESS_KEY: &str = "AKIDEXAMPLE";
/// What the service says to an `UpdateKeys` whose `If-Match` is no longer the store's ETag.
const STALE: Refusal = Refusal { status: 400, code: "ValidationException", message: "Pre-Condition failed" };

/// An error answer: the status, `x-amzn-ErrorType` and the message.
#[derive(Clone, Copy, Debug)]
struct Refusal {
    status: u16,
    code: &'static str,
    message: &'static str,
}

/// One request as the stub received it; header names lowercased.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    /// The path, percent-decoded.
    path: String,
    query: BTreeMap<String, String>,
    headers: BTreeMap<String, String>,
    body: String,
}

impl Seen {
    fn header(&self, name: &str) -> &str {
        self.headers.get(name).map_or("", String::as_str)
    }

    /// The operation the path and method name.
    fn operation(&self) -> &'static str {
        match (self.method.as_str(), self.path.ends_with("/keys")) {
            ("GET", false) => "DescribeKeyValueStore",
            ("GET", true) => "ListKeys",
            ("POST", true) => "UpdateKeys",
            _ => "unknown",
        }
    }
}

/// The stub's store and what it was sent.
struct Stub {
    items: BTreeMap<String, String>,
    serial: u32,
    page_size: usize,
    /// A put by someone else, made just before the next `UpdateKeys` is judged.
    foreign: Option<(String, String)>,
    /// How a stale `If-Match` is refused.
    stale: Refusal,
    /// Answer the next `UpdateKeys` with this, whatever it carries.
    refuse_next_update: Option<Refusal>,
    seen: Vec<Seen>,
}

impl Stub {
    fn etag(&self) -> String {
        format!("KV{:04}ETAG", self.serial)
    }

    fn answer(&mut self, request: &Seen) -> (u16, Vec<(&'static str, String)>, String) {
        let Some(arn) = request.path.strip_prefix("/key-value-stores/").map(|p| p.trim_end_matches("/keys")) else {
            return refused(Refusal { status: 404, code: "UnknownOperationException", message: "no such path" });
        };
        if arn != ARN {
            return refused(Refusal { status: 404, code: "ResourceNotFoundException", message: "no such store" });
        }
        match request.operation() {
            "DescribeKeyValueStore" => {
                let size: usize = self.items.iter().map(|(k, v)| k.len() + v.len()).sum();
                let body = json!({
                    "KvsARN": ARN, "Created": 1_767_225_600, "LastModified": 1_767_225_600,
                    "ItemCount": self.items.len(), "TotalSizeInBytes": size, "Status": "READY",
                });
                (200, vec![("ETag", self.etag())], body.to_string())
            }
            "ListKeys" => {
                let asked: usize = request.query.get("MaxResults").map_or(10, |n| n.parse().unwrap());
                let after = request.query.get("NextToken").map(|t| t.trim_start_matches("after:").to_string());
                let keys: Vec<&String> =
                    self.items.keys().filter(|k| after.as_ref().is_none_or(|a| k.as_str() > a.as_str())).collect();
                let page = &keys[..keys.len().min(asked.min(self.page_size))];
                let items: Vec<Value> =
                    page.iter().map(|k| json!({ "Key": k, "Value": self.items[k.as_str()] })).collect();
                let mut body = json!({ "Items": items });
                if page.len() < keys.len() {
                    body["NextToken"] = json!(format!("after:{}", page.last().unwrap()));
                }
                (200, Vec::new(), body.to_string())
            }
            "UpdateKeys" => self.update(request),
            _ => refused(Refusal { status: 404, code: "UnknownOperationException", message: "no such operation" }),
        }
    }

    fn update(&mut self, request: &Seen) -> (u16, Vec<(&'static str, String)>, String) {
        if let Some(refusal) = self.refuse_next_update.take() {
            return refused(refusal);
        }
        if let Some((key, value)) = self.foreign.take() {
            self.items.insert(key, value);
            self.serial += 1;
        }
        if request.header("if-match") != self.etag() {
            return refused(self.stale);
        }
        let body: Value = serde_json::from_str(&request.body).unwrap();
        for put in body["Puts"].as_array().into_iter().flatten() {
            self.items.insert(put["Key"].as_str().unwrap().into(), put["Value"].as_str().unwrap().into());
        }
        self.serial += 1;
        let body = json!({ "ItemCount": self.items.len(), "TotalSizeInBytes": 0 });
        (200, vec![("ETag", self.etag())], body.to_string())
    }
}

fn refused(refusal: Refusal) -> (u16, Vec<(&'static str, String)>, String) {
    let body = json!({ "Message": refusal.message }).to_string();
    (refusal.status, vec![("x-amzn-ErrorType", refusal.code.to_string())], body)
}

/// The stub, listening on 127.0.0.1 on a free port until the test ends.
struct KvsStub {
    address: SocketAddr,
    state: Arc<Mutex<Stub>>,
}

impl KvsStub {
    async fn start(items: &[(&str, &str)]) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(Stub {
            items: items.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            serial: 1,
            page_size: 2,
            foreign: None,
            stale: STALE,
            refuse_next_update: None,
            seen: Vec::new(),
        }));
        let accepting = Arc::clone(&state);
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(serve(socket, Arc::clone(&accepting)));
            }
        });
        KvsStub { address, state }
    }

    /// A client whose endpoint URL is `http://localhost:PORT`, credentials static and fake.
    fn store(&self) -> KvsShareStore {
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
            .build_with_resolver(LoopbackOnly);
        let credentials =
            Credentials::new(ACCESS_KEY, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None, None, "share_store_wire");
        let sdk = SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("eu-west-1"))
            .credentials_provider(SharedCredentialsProvider::new(credentials))
            .endpoint_url(format!("http://localhost:{}", self.address.port()))
            .http_client(http)
            .timeout_config(TimeoutConfig::builder().operation_timeout(Duration::from_secs(20)).build())
            .build();
        KvsShareStore::from_sdk_config(&sdk, ARN)
    }

    fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }

    fn operations(&self) -> Vec<&'static str> {
        self.seen().iter().map(Seen::operation).collect()
    }

    fn value(&self, key: &str) -> Option<String> {
        self.state.lock().unwrap().items.get(key).cloned()
    }

    fn etag(&self) -> String {
        self.state.lock().unwrap().etag()
    }

    /// The Host every request must carry: the ARN's account in front of the endpoint's host.
    fn host(&self) -> String {
        format!("{ACCOUNT}.localhost:{}", self.address.port())
    }
}

/// `localhost` and `*.localhost` are 127.0.0.1; every other name is refused, so that nothing the
/// client is asked for can leave the machine.
#[derive(Clone, Debug)]
struct LoopbackOnly;

impl ResolveDns for LoopbackOnly {
    fn resolve_dns<'a>(&'a self, name: &'a str) -> DnsFuture<'a> {
        if name == "localhost" || name.ends_with(".localhost") {
            DnsFuture::ready(Ok(vec![IpAddr::V4(Ipv4Addr::LOCALHOST)]))
        } else {
            DnsFuture::ready(Err(ResolveDnsError::new(format!("{name} is not a test host"))))
        }
    }
}

/// Requests on one connection, one after the other (the client keeps connections alive).
async fn serve(mut socket: TcpStream, state: Arc<Mutex<Stub>>) {
    let mut buffer = Vec::new();
    loop {
        let Some(request) = read_request(&mut socket, &mut buffer).await else { return };
        let (status, headers, body) = {
            let mut stub = state.lock().unwrap();
            stub.seen.push(request.clone());
            stub.answer(&request)
        };
        let mut head = format!(
            "HTTP/1.1 {status} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
            if status == 200 { "OK" } else { "Error" },
            body.len()
        );
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        if socket.write_all(head.as_bytes()).await.is_err() || socket.write_all(body.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// The next request on the connection, or `None` once it closes.
async fn read_request(socket: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<Seen> {
    let head_end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        let mut chunk = [0; 4096];
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8(buffer[..head_end].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap().split(' ');
    let (method, target) = (first.next().unwrap().to_string(), first.next().unwrap().to_string());
    let headers: BTreeMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_string()))
        .collect();
    assert!(!headers.contains_key("transfer-encoding"), "the stub reads Content-Length bodies only");
    let length: usize = headers.get("content-length").map_or(0, |n| n.parse().unwrap());
    while buffer.len() < head_end + 4 + length {
        let mut chunk = [0; 4096];
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    let body = String::from_utf8(buffer[head_end + 4..head_end + 4 + length].to_vec()).unwrap();
    buffer.drain(..head_end + 4 + length);
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let query = query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(name, value)| (decode(name), decode(value)))
        .collect();
    Some(Seen { method, path: decode(path), query, headers, body })
}

/// `%XX` escapes decoded (a label's `/` and `:` arrive escaped).
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn record(share: u8) -> String {
    RouteRecord::new(share, "orders-fn", "monolith", None).unwrap().encode().unwrap()
}

/// The store a router would have: the index, two routes, another tool's key and a route value the
/// router would not read.
fn routed_store() -> Vec<(&'static str, String)> {
    vec![
        ("routes", r#"{"v":1,"routes":["/orders/*","/cart/*","/broken/*"]}"#.to_string()),
        ("route:/orders/*", record(10)),
        ("route:/cart/*", record(0)),
        ("route:/broken/*", "{not json".to_string()),
        ("other-tool:flag", record(50)),
    ]
}

async fn stub_with_routed_store() -> KvsStub {
    let items = routed_store();
    let items: Vec<(&str, &str)> = items.iter().map(|(k, v)| (*k, v.as_str())).collect();
    KvsStub::start(&items).await
}

/// Every request is signed with SigV4A by the fake key, for every region (`*`), and reached the
/// stub under the host the endpoint rules made.
fn assert_signed_sigv4a(stub: &KvsStub) {
    let seen = stub.seen();
    assert!(!seen.is_empty());
    for request in &seen {
        let authorization = request.header("authorization");
        assert!(
            authorization.starts_with(&format!("AWS4-ECDSA-P256-SHA256 Credential={ACCESS_KEY}/")),
            "{} is not signed with SigV4A: {authorization:?}",
            request.operation()
        );
        assert!(authorization.contains("/cloudfront-keyvaluestore/aws4_request,"), "{authorization}");
        let signed = authorization.split("SignedHeaders=").nth(1).unwrap().split(',').next().unwrap();
        assert!(signed.split(';').any(|h| h == "x-amz-region-set"), "the region set is signed: {signed}");
        assert!(signed.split(';').any(|h| h == "host"), "the host is signed: {signed}");
        assert_eq!(request.header("x-amz-region-set"), "*", "{}", request.operation());
        assert_eq!(request.header("host"), stub.host(), "{}", request.operation());
    }
}

#[tokio::test]
async fn a_read_takes_the_etag_first_then_every_page_keeps_the_index_and_never_drops_an_unreadable_record() {
    let stub = stub_with_routed_store().await;
    let state = stub.store().read().await.unwrap();

    assert_eq!(state.etag, "KV0001ETAG");
    let shares: Vec<(&str, u8)> = state.records.iter().map(|(p, r)| (p.as_str(), r.share)).collect();
    assert_eq!(shares, [("/cart/*", 0), ("/orders/*", 10)], "another tool's key is not a record");
    assert_eq!(state.index.listed, ["/orders/*", "/cart/*", "/broken/*"], "the index, as the function reads it");
    let unreadable: Vec<&str> = state.unreadable.keys().map(String::as_str).collect();
    assert_eq!(unreadable, ["/broken/*"], "kept, with why: {:?}", state.unreadable);
    // Five keys, two a page: the ETag first, so that a write between the two is caught by IfMatch.
    assert_eq!(stub.operations(), ["DescribeKeyValueStore", "ListKeys", "ListKeys", "ListKeys"]);
    let tokens: Vec<Option<String>> = stub.seen()[1..].iter().map(|r| r.query.get("NextToken").cloned()).collect();
    assert_eq!(tokens, [None, Some("after:route:/broken/*".into()), Some("after:route:/orders/*".into())]);
    assert!(stub.seen()[1..].iter().all(|r| r.query.get("MaxResults").map(String::as_str) == Some("50")));
    assert_eq!(stub.seen()[0].path, format!("/key-value-stores/{ARN}"));
    assert_signed_sigv4a(&stub);
}

#[tokio::test]
async fn a_put_carries_the_etag_it_is_given_and_a_stale_one_is_a_precondition_failure() {
    let stub = stub_with_routed_store().await;
    let store = stub.store();
    let moved = RouteRecord::new(25, "orders-fn", "monolith", None).unwrap();
    let records = vec![("/orders/*".to_string(), moved.clone())];

    let stale = store.put(&records, "KV0000ETAG").await.unwrap_err();
    assert_eq!(stale, BackendError::PreconditionFailed);
    assert_eq!(stub.value("route:/orders/*"), Some(record(10)), "nothing written");

    let etag = store.put(&records, "KV0001ETAG").await.unwrap();
    assert_eq!((etag.as_str(), stub.etag().as_str()), ("KV0002ETAG", "KV0002ETAG"), "the ETag the service returned");
    assert_eq!(stub.value("route:/orders/*"), Some(moved.encode().unwrap()));

    let updates: Vec<Seen> = stub.seen().into_iter().filter(|r| r.operation() == "UpdateKeys").collect();
    let if_match: Vec<&str> = updates.iter().map(|r| r.header("if-match")).collect();
    assert_eq!(if_match, ["KV0000ETAG", "KV0001ETAG"]);
    let body: Value = serde_json::from_str(&updates[1].body).unwrap();
    assert_eq!(body["Puts"], json!([{ "Key": "route:/orders/*", "Value": moved.encode().unwrap() }]));
    assert!(body.get("Deletes").is_none_or(|d| d.as_array().is_some_and(Vec::is_empty)), "{body}");
    assert_signed_sigv4a(&stub);
}

#[tokio::test]
async fn a_conflict_answer_is_stale_too_and_other_refusals_are_not() {
    let stub = stub_with_routed_store().await;
    let store = stub.store();
    let records = vec![("/orders/*".to_string(), RouteRecord::new(5, "orders-fn", "monolith", None).unwrap())];
    let refuse = |refusal: Refusal| stub.state.lock().unwrap().refuse_next_update = Some(refusal);

    refuse(Refusal { status: 409, code: "ConflictException", message: "Resource is not in expected state" });
    assert_eq!(store.put(&records, "KV0001ETAG").await.unwrap_err(), BackendError::PreconditionFailed);

    // A validation error is the request's fault: re-reading would not help, so it is not a conflict.
    refuse(Refusal {
        status: 400,
        code: "ValidationException",
        message: "Value at 'puts' failed to satisfy constraint",
    });
    let error = store.put(&records, "KV0001ETAG").await.unwrap_err();
    assert!(
        matches!(&error, BackendError::Other(m) if m.contains("UpdateKeys failed (ValidationException")),
        "{error:?}"
    );

    refuse(Refusal { status: 403, code: "AccessDeniedException", message: "not authorized to perform UpdateKeys" });
    let error = store.put(&records, "KV0001ETAG").await.unwrap_err();
    assert!(matches!(&error, BackendError::AccessDenied(m) if m.contains("UpdateKeys is not allowed")), "{error:?}");
    assert_eq!(stub.value("route:/orders/*"), Some(record(10)), "nothing written");
}

#[tokio::test]
async fn set_shares_rereads_after_someone_elses_write_and_then_moves_the_share() {
    let stub = stub_with_routed_store().await;
    let store = stub.store();
    // Someone else moves /cart/* just before cutover's first UpdateKeys lands.
    stub.state.lock().unwrap().foreign = Some(("route:/cart/*".into(), record(5)));
    let mut conflicts = Vec::new();
    let change = ShareChange::new("/orders/*", 10, 25);

    let accepted = set_shares(&store, &[change], |etag| conflicts.push(etag.to_string())).await.unwrap();

    assert_eq!(conflicts, ["KV0001ETAG"], "one conflict, on the ETag first read");
    assert_eq!((accepted.etag_before.as_str(), accepted.etag_after.as_str()), ("KV0001ETAG", "KV0003ETAG"));
    assert_eq!(accepted.calls, 1);
    assert_eq!(stub.value("route:/orders/*"), Some(record(25)));
    assert_eq!(stub.value("route:/cart/*"), Some(record(5)), "their write stands");
    let read = ["DescribeKeyValueStore", "ListKeys", "ListKeys", "ListKeys"];
    let expected: Vec<&str> = [&read[..], &["UpdateKeys"], &read[..], &["UpdateKeys"], &read[..]].concat();
    assert_eq!(stub.operations(), expected, "conflict, re-read, success, read back");
    assert_eq!(accepted.read_back, Ok(vec![("/orders/*".to_string(), Some(25))]), "the store read back as asked");
    let if_match: Vec<String> = stub
        .seen()
        .iter()
        .filter(|r| r.operation() == "UpdateKeys")
        .map(|r| r.header("if-match").to_string())
        .collect();
    assert_eq!(if_match, ["KV0001ETAG", "KV0002ETAG"], "each put carries the ETag of the read before it");
    assert_signed_sigv4a(&stub);
}

/// A record the index does not list reads as such over the wire: the function would never find it,
/// so cutover must not count it as routed.
#[tokio::test]
async fn a_record_without_an_index_entry_reads_as_not_listed() {
    let items = [("route:/orders/*", record(10)), ("routes", r#"{"v":1,"routes":["/cart/*"]}"#.to_string())];
    let items: Vec<(&str, &str)> = items.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let stub = KvsStub::start(&items).await;
    let state = stub.store().read().await.unwrap();
    assert_eq!(state.records["/orders/*"].share, 10);
    assert_eq!(state.index.lists("/orders/*"), Some(false), "{:?}", state.index);
    assert_eq!(state.index.lists("/cart/*"), Some(true));
}

/// A store with no index at all: every record is unlisted, and the read says why.
#[tokio::test]
async fn a_store_without_an_index_lists_nothing() {
    let items = [("route:/orders/*", record(10))];
    let items: Vec<(&str, &str)> = items.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let stub = KvsStub::start(&items).await;
    let state = stub.store().read().await.unwrap();
    assert_eq!(state.index.lists("/orders/*"), Some(false));
    assert!(state.index.note.as_deref().is_some_and(|n| n.contains("no `routes` index")), "{:?}", state.index);
}
