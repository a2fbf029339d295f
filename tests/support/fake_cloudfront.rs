//! Local fakes, on 127.0.0.1, of what no emulator speaks, for driving the real binary end to end:
//!
//! - the CloudFront control plane's Functions (`CreateFunction`, `DescribeFunction`, `GetFunction`,
//!   `UpdateFunction`, `TestFunction`, `PublishFunction`, `DeleteFunction`) and KeyValueStores
//!   (`CreateKeyValueStore`, `DescribeKeyValueStore`, `DeleteKeyValueStore`), REST-XML. `TestFunction`
//!   really runs the function's code under Node (`tests/router/test-function.mjs`) over the store
//!   the function is associated with, so its `FunctionExecutionLogs` are the function's own;
//! - real-time log configurations (`CreateRealtimeLogConfig`, `GetRealtimeLogConfig` by name or
//!   ARN, `DeleteRealtimeLogConfig`, refused while a behavior carries it), which moto lacks;
//! - every other control-plane call is passed on to moto, except that the behaviors'
//!   `FunctionAssociations`, which moto drops, are kept here from each `UpdateDistribution` and put
//!   back into what moto answers for that distribution, and so is each behavior's
//!   `RealtimeLogConfigArn`, which moto takes and never answers;
//! - the KeyValueStore data plane (REST-JSON): `DescribeKeyValueStore` with its ETag, `ListKeys` in
//!   pages, `UpdateKeys` refusing a stale `If-Match` as the service does. Its endpoint is
//!   `http://localhost:PORT`; the SDK puts the store's account in front of the host, and cutover's
//!   client resolves `*.localhost` to loopback itself.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

/// The account of every ARN the fake makes (moto's).
pub const ACCOUNT: &str = "123456789012";

/// One request as received; header names lowercased, the path percent-decoded.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    pub target: String,
    pub path: String,
    pub query: BTreeMap<String, String>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> &str {
        self.headers.iter().find(|(n, _)| n == name).map_or("", |(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// An answer: status, headers, body.
#[derive(Clone, Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    fn new(status: u16, headers: &[(&str, &str)], body: impl Into<Vec<u8>>) -> Self {
        Response {
            status,
            headers: headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect(),
            body: body.into(),
        }
    }

    fn xml(status: u16, etag: Option<&str>, body: String) -> Self {
        let mut response = Response::new(status, &[("Content-Type", "text/xml")], body);
        if let Some(etag) = etag {
            response.headers.push(("ETag".into(), etag.into()));
            // UpdateFunction's output reads its ETag from `ETtag` (sic, CloudFront's model).
            response.headers.push(("ETtag".into(), etag.into()));
        }
        response
    }

    fn xml_error(status: u16, code: &str, message: &str) -> Self {
        let body = format!(
            r#"<?xml version="1.0"?><ErrorResponse xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>fake</RequestId></ErrorResponse>"#
        );
        Response::new(status, &[("Content-Type", "text/xml")], body)
    }

    fn json_error(status: u16, code: &str, message: &str) -> Self {
        Response::new(
            status,
            &[("x-amzn-ErrorType", code), ("Content-Type", "application/json")],
            json!({ "Message": message }).to_string(),
        )
    }
}

/// A KeyValueStore: control plane and data plane.
#[derive(Clone, Debug)]
pub struct Store {
    pub name: String,
    pub id: String,
    pub arn: String,
    pub comment: String,
    pub items: BTreeMap<String, String>,
    /// Bumped by every write: the data plane's ETag is `KV<serial>`.
    pub serial: u32,
}

impl Store {
    fn etag(&self) -> String {
        format!("KV{:04}", self.serial)
    }

    fn control_etag(&self) -> String {
        format!("CK{}", self.id)
    }
}

/// A CloudFront Function with its two stages.
#[derive(Clone, Debug)]
pub struct Function {
    pub name: String,
    pub comment: String,
    pub development: String,
    pub live: Option<String>,
    pub store_arns: Vec<String>,
    pub serial: u32,
}

impl Function {
    fn etag(&self) -> String {
        format!("EF{:04}", self.serial)
    }

    fn arn(&self) -> String {
        format!("arn:aws:cloudfront::{ACCOUNT}:function/{}", self.name)
    }

    fn summary(&self, stage: &str) -> String {
        let stores: String = self
            .store_arns
            .iter()
            .map(|a| {
                format!("<KeyValueStoreAssociation><KeyValueStoreARN>{a}</KeyValueStoreARN></KeyValueStoreAssociation>")
            })
            .collect();
        let status = if self.live.is_some() { "DEPLOYED" } else { "UNPUBLISHED" };
        format!(
            "<FunctionSummary><Name>{}</Name><Status>{status}</Status><FunctionConfig><Comment>{}</Comment><Runtime>cloudfront-js-2.0</Runtime><KeyValueStoreAssociations><Quantity>{}</Quantity><Items>{stores}</Items></KeyValueStoreAssociations></FunctionConfig><FunctionMetadata><FunctionARN>{}</FunctionARN><Stage>{stage}</Stage><CreatedTime>2026-01-01T00:00:00Z</CreatedTime><LastModifiedTime>2026-01-01T00:00:00Z</LastModifiedTime></FunctionMetadata></FunctionSummary>",
            self.name,
            self.comment,
            self.store_arns.len(),
            self.arn()
        )
    }
}

/// A real-time log configuration.
#[derive(Clone, Debug)]
pub struct RealtimeConfig {
    pub name: String,
    pub arn: String,
    pub fields: Vec<String>,
    pub sampling_rate: u32,
    pub stream_arn: String,
    pub role_arn: String,
}

impl RealtimeConfig {
    fn xml(&self, root: &str) -> String {
        let fields: String = self.fields.iter().map(|f| format!("<Field>{}</Field>", xml_escape(f))).collect();
        format!(
            r#"<?xml version="1.0"?><{root} xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><RealtimeLogConfig><ARN>{}</ARN><Name>{}</Name><SamplingRate>{}</SamplingRate><EndPoints><member><StreamType>Kinesis</StreamType><KinesisStreamConfig><RoleARN>{}</RoleARN><StreamARN>{}</StreamARN></KinesisStreamConfig></member></EndPoints><Fields>{fields}</Fields></RealtimeLogConfig></{root}>"#,
            xml_escape(&self.arn),
            xml_escape(&self.name),
            self.sampling_rate,
            xml_escape(&self.role_arn),
            xml_escape(&self.stream_arn)
        )
    }
}

/// Everything the fakes hold, and what they were asked.
#[derive(Debug, Default)]
pub struct World {
    pub stores: BTreeMap<String, Store>,
    pub functions: BTreeMap<String, Function>,
    /// `FunctionAssociations` elements by (distribution id, path pattern; `*` the default).
    pub associations: BTreeMap<(String, String), String>,
    /// Real-time log configurations by name.
    pub realtime_configs: BTreeMap<String, RealtimeConfig>,
    /// Each behavior's `RealtimeLogConfigArn` (empty: none) by (distribution id, path pattern).
    pub realtime_arns: BTreeMap<(String, String), String>,
    /// Every call, as `METHOD path`.
    pub calls: Vec<String>,
    /// Every `TestFunction`'s logs, in order.
    pub test_logs: Vec<Vec<String>>,
    serial: u32,
}

impl World {
    fn next(&mut self) -> u32 {
        self.serial += 1;
        self.serial
    }

    fn store_by_arn(&mut self, arn: &str) -> Option<&mut Store> {
        self.stores.values_mut().find(|s| s.arn == arn)
    }
}

/// The two fakes, listening until the test ends.
pub struct FakeCloudFront {
    pub control: SocketAddr,
    pub data: SocketAddr,
    pub world: Arc<Mutex<World>>,
}

impl FakeCloudFront {
    /// Both fakes; distribution calls go on to `moto` (`http://127.0.0.1:PORT`) when given, else
    /// they are refused.
    pub async fn start(moto: Option<String>) -> Self {
        let world = Arc::new(Mutex::new(World::default()));
        let moto: Option<SocketAddr> = moto.map(|url| {
            url.trim_start_matches("http://").trim_end_matches('/').parse().expect("moto at 127.0.0.1:PORT")
        });
        let control =
            listen(Arc::clone(&world), move |world, request| Box::pin(control_plane(world, request, moto))).await;
        let data =
            listen(Arc::clone(&world), |world, request| Box::pin(async move { data_plane(&world, &request) })).await;
        FakeCloudFront { control, data, world }
    }

    /// `http://127.0.0.1:PORT` of the control plane (CloudFront's endpoint URL).
    pub fn control_endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.control.port())
    }

    /// `http://localhost:PORT` of the data plane (the KeyValueStore endpoint URL).
    pub fn data_endpoint(&self) -> String {
        format!("http://localhost:{}", self.data.port())
    }

    /// The environment that points the binary at the fakes (and through them at moto).
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT_URL_CLOUDFRONT", self.control_endpoint()),
            ("AWS_ENDPOINT_URL_CLOUDFRONT_KEYVALUESTORE", self.data_endpoint()),
        ]
    }

    /// A store made by hand (for tests that script the control plane elsewhere).
    pub fn add_store(&self, name: &str, arn: &str, items: &[(&str, &str)]) {
        let mut world = self.world.lock().unwrap();
        let id = arn.rsplit('/').next().unwrap().to_string();
        let items = items.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let store = Store { name: name.into(), id, arn: arn.into(), comment: String::new(), items, serial: 1 };
        world.stores.insert(name.into(), store);
    }

    /// The keys of the store `name`.
    pub fn items(&self, name: &str) -> BTreeMap<String, String> {
        self.world.lock().unwrap().stores.get(name).map(|s| s.items.clone()).unwrap_or_default()
    }

    pub fn put(&self, name: &str, key: &str, value: &str) {
        let mut world = self.world.lock().unwrap();
        let store = world.stores.get_mut(name).expect("the store exists");
        store.items.insert(key.into(), value.into());
        store.serial += 1;
    }

    pub fn calls(&self) -> Vec<String> {
        self.world.lock().unwrap().calls.clone()
    }
}

type Handler = dyn Fn(Arc<Mutex<World>>, Request) -> std::pin::Pin<Box<dyn std::future::Future<Output = Response> + Send>>
    + Send
    + Sync;

async fn listen(
    world: Arc<Mutex<World>>,
    handler: impl Fn(Arc<Mutex<World>>, Request) -> std::pin::Pin<Box<dyn std::future::Future<Output = Response> + Send>>
    + Send
    + Sync
    + 'static,
) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let handler: Arc<Handler> = Arc::new(handler);
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let (world, handler) = (Arc::clone(&world), Arc::clone(&handler));
            tokio::spawn(async move { serve(socket, world, handler).await });
        }
    });
    address
}

async fn serve(mut socket: TcpStream, world: Arc<Mutex<World>>, handler: Arc<Handler>) {
    let mut buffer = Vec::new();
    while let Some(request) = read_request(&mut socket, &mut buffer).await {
        world.lock().unwrap().calls.push(format!("{} {}", request.method, request.path));
        let response = handler(Arc::clone(&world), request).await;
        if write_response(&mut socket, &response).await.is_err() {
            return;
        }
    }
}

async fn write_response(socket: &mut TcpStream, response: &Response) -> std::io::Result<()> {
    let mut head = format!("HTTP/1.1 {} Fake\r\nContent-Length: {}\r\n", response.status, response.body.len());
    for (name, value) in &response.headers {
        if !name.eq_ignore_ascii_case("content-length")
            && !name.eq_ignore_ascii_case("transfer-encoding")
            && !name.eq_ignore_ascii_case("connection")
        {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
    }
    head.push_str("\r\n");
    socket.write_all(head.as_bytes()).await?;
    socket.write_all(&response.body).await
}

/// The next request on the connection (`Content-Length` bodies), or `None` once it closes.
async fn read_request(socket: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<Request> {
    let head_end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        let mut chunk = [0; 8192];
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8(buffer[..head_end].to_vec()).ok()?;
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let (method, target) = (first.next()?.to_string(), first.next()?.to_string());
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_string()))
        .collect();
    let length: usize = headers.iter().find(|(n, _)| n == "content-length").map_or(0, |(_, v)| v.parse().unwrap_or(0));
    while buffer.len() < head_end + 4 + length {
        let mut chunk = [0; 8192];
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    let body = buffer[head_end + 4..head_end + 4 + length].to_vec();
    buffer.drain(..head_end + 4 + length);
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let query = query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(name, value)| (decode(name), decode(value)))
        .collect();
    Some(Request { method, path: decode(path), target: target.clone(), query, headers, body })
}

/// `%XX` escapes decoded.
pub fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(byte) = u8::from_str_radix(&text[i + 1..i + 3], 16)
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The text of the first `<name>` element of `xml`.
fn tag<'a>(xml: &'a str, name: &str) -> Option<&'a str> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let start = xml.find(&open)? + open.len();
    let end = start + xml[start..].find(&close)?;
    Some(&xml[start..end])
}

/// Every `<name>...</name>` element of `xml`, whole, with where it starts.
fn elements(xml: &str, name: &str) -> Vec<(usize, usize)> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = xml[from..].find(&open) {
        let start = from + at;
        let Some(len) = xml[start..].find(&close) else { break };
        let end = start + len + close.len();
        found.push((start, end));
        from = end;
    }
    found
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&")
}

// Long: one arm per operation of the control plane the fake answers itself, each a few lines.
async fn control_plane(world: Arc<Mutex<World>>, request: Request, moto: Option<SocketAddr>) -> Response {
    let path = request.path.clone();
    let Some(rest) = path.strip_prefix("/2020-05-31/") else {
        return Response::xml_error(404, "NotFound", "no such path");
    };
    let parts: Vec<&str> = rest.trim_end_matches('/').split('/').collect();
    let body = request.text();
    let if_match = request.header("if-match").to_string();
    let stage = request.query.get("Stage").cloned().unwrap_or_else(|| "DEVELOPMENT".into());
    match (request.method.as_str(), parts.as_slice()) {
        ("POST", ["key-value-store"]) => {
            let mut world = world.lock().unwrap();
            let name = tag(&body, "Name").unwrap_or_default().to_string();
            if world.stores.contains_key(&name) {
                return Response::xml_error(409, "EntityAlreadyExists", "store exists");
            }
            let id = format!("{:08x}-0000-4000-8000-{:012x}", world.next(), world.next());
            let arn = format!("arn:aws:cloudfront::{ACCOUNT}:key-value-store/{id}");
            let comment = unescape(tag(&body, "Comment").unwrap_or_default());
            let store = Store { name: name.clone(), id, arn, comment, items: BTreeMap::new(), serial: 1 };
            let out = Response::xml(201, Some(&store.control_etag()), kvs_xml(&store));
            world.stores.insert(name, store);
            out
        }
        ("GET", ["key-value-store", name]) => match world.lock().unwrap().stores.get(*name) {
            Some(store) => Response::xml(200, Some(&store.control_etag()), kvs_xml(store)),
            None => Response::xml_error(404, "EntityNotFound", "no such store"),
        },
        ("DELETE", ["key-value-store", name]) => {
            let mut world = world.lock().unwrap();
            match world.stores.get(*name) {
                None => Response::xml_error(404, "EntityNotFound", "no such store"),
                Some(store) if store.control_etag() != if_match => {
                    Response::xml_error(412, "PreconditionFailed", "stale")
                }
                Some(store) if world.functions.values().any(|f| f.store_arns.contains(&store.arn)) => {
                    Response::xml_error(409, "CannotDeleteEntityWhileInUse", "a function uses it")
                }
                Some(_) => {
                    world.stores.remove(*name);
                    Response::new(204, &[], "")
                }
            }
        }
        ("POST", ["realtime-log-config"]) => {
            let mut world = world.lock().unwrap();
            let name = unescape(tag(&body, "Name").unwrap_or_default());
            if world.realtime_configs.contains_key(&name) {
                return Response::xml_error(409, "RealtimeLogConfigAlreadyExists", "it exists");
            }
            let fields = elements(&body, "Field").iter().map(|(s, e)| unescape(&body[s + 7..e - 8])).collect();
            let config = RealtimeConfig {
                arn: format!("arn:aws:cloudfront::{ACCOUNT}:realtime-log-config/{name}"),
                name: name.clone(),
                fields,
                sampling_rate: tag(&body, "SamplingRate").and_then(|r| r.parse().ok()).unwrap_or(0),
                stream_arn: unescape(tag(&body, "StreamARN").unwrap_or_default()),
                role_arn: unescape(tag(&body, "RoleARN").unwrap_or_default()),
            };
            let out = Response::xml(201, None, config.xml("CreateRealtimeLogConfigResult"));
            world.realtime_configs.insert(name, config);
            out
        }
        ("POST", ["get-realtime-log-config"]) => {
            let (name, arn) = (tag(&body, "Name").map(unescape), tag(&body, "ARN").map(unescape));
            let world = world.lock().unwrap();
            let found = world
                .realtime_configs
                .values()
                .find(|c| Some(&c.name) == name.as_ref() || Some(&c.arn) == arn.as_ref());
            match found {
                Some(config) => Response::xml(200, None, config.xml("GetRealtimeLogConfigResult")),
                None => Response::xml_error(404, "NoSuchRealtimeLogConfig", "no such configuration"),
            }
        }
        ("POST", ["delete-realtime-log-config"]) => {
            let (name, arn) = (tag(&body, "Name").map(unescape), tag(&body, "ARN").map(unescape));
            let mut world = world.lock().unwrap();
            let found = world
                .realtime_configs
                .values()
                .find(|c| Some(&c.name) == name.as_ref() || Some(&c.arn) == arn.as_ref())
                .cloned();
            match found {
                None => Response::xml_error(404, "NoSuchRealtimeLogConfig", "no such configuration"),
                Some(config) if world.realtime_arns.values().any(|a| a == &config.arn) => {
                    Response::xml_error(400, "RealtimeLogConfigInUse", "a cache behavior uses it")
                }
                Some(config) => {
                    world.realtime_configs.remove(&config.name);
                    Response::new(204, &[], "")
                }
            }
        }
        ("POST", ["function"]) => {
            let mut world = world.lock().unwrap();
            let name = tag(&body, "Name").unwrap_or_default().to_string();
            if world.functions.contains_key(&name) {
                return Response::xml_error(409, "FunctionAlreadyExists", "function exists");
            }
            let code = aws_smithy_types::base64::decode(tag(&body, "FunctionCode").unwrap_or_default()).unwrap();
            let function = Function {
                name: name.clone(),
                comment: unescape(tag(&body, "Comment").unwrap_or_default()),
                development: String::from_utf8(code).unwrap(),
                live: None,
                store_arns: tags_of(&body, "KeyValueStoreARN"),
                serial: world.next(),
            };
            let out = Response::xml(201, Some(&function.etag()), function.summary("DEVELOPMENT"));
            world.functions.insert(name, function);
            out
        }
        ("GET", ["function", name, "describe"]) => match world.lock().unwrap().functions.get(*name) {
            Some(f) if stage == "LIVE" && f.live.is_none() => {
                Response::xml_error(404, "NoSuchFunctionExists", "not published")
            }
            Some(f) => Response::xml(200, Some(&f.etag()), f.summary(&stage)),
            None => Response::xml_error(404, "NoSuchFunctionExists", "no such function"),
        },
        ("GET", ["function", name]) => match world.lock().unwrap().functions.get(*name) {
            Some(f) => match if stage == "LIVE" { f.live.clone() } else { Some(f.development.clone()) } {
                Some(code) => {
                    let mut out = Response::new(200, &[("Content-Type", "application/octet-stream")], code);
                    out.headers.push(("ETag".into(), f.etag()));
                    out
                }
                None => Response::xml_error(404, "NoSuchFunctionExists", "not published"),
            },
            None => Response::xml_error(404, "NoSuchFunctionExists", "no such function"),
        },
        ("PUT", ["function", name]) => {
            let mut world = world.lock().unwrap();
            let serial = world.next();
            let Some(f) = world.functions.get_mut(*name) else {
                return Response::xml_error(404, "NoSuchFunctionExists", "no such function");
            };
            if f.etag() != if_match {
                return Response::xml_error(412, "PreconditionFailed", "stale ETag");
            }
            let code = aws_smithy_types::base64::decode(tag(&body, "FunctionCode").unwrap_or_default()).unwrap();
            f.development = String::from_utf8(code).unwrap();
            f.comment = unescape(tag(&body, "Comment").unwrap_or_default());
            f.store_arns = tags_of(&body, "KeyValueStoreARN");
            f.serial = serial;
            Response::xml(200, Some(&f.etag()), f.summary("DEVELOPMENT"))
        }
        ("POST", ["function", name, "test"]) => {
            let (code, store, etag) = {
                let mut world = world.lock().unwrap();
                let Some(f) = world.functions.get(*name).cloned() else {
                    return Response::xml_error(404, "NoSuchFunctionExists", "no such function");
                };
                let code =
                    if tag(&body, "Stage") == Some("LIVE") { f.live.clone() } else { Some(f.development.clone()) };
                let Some(code) = code else { return Response::xml_error(404, "NoSuchFunctionExists", "not published") };
                let store = f.store_arns.first().and_then(|a| world.store_by_arn(a).map(|s| s.items.clone()));
                (code, store, f.etag())
            };
            if etag != if_match {
                return Response::xml_error(412, "PreconditionFailed", "stale ETag");
            }
            let event = String::from_utf8(
                aws_smithy_types::base64::decode(tag(&body, "EventObject").unwrap_or_default()).unwrap(),
            )
            .unwrap();
            let event: Value = serde_json::from_str(&event).unwrap_or(Value::Null);
            let input = json!({ "code": code, "store": store.unwrap_or_default(), "event": event });
            let ran =
                tokio::task::spawn_blocking(move || run_node("tests/router/test-function.mjs", &input)).await.unwrap();
            let logs: Vec<String> =
                ran["logs"].as_array().into_iter().flatten().filter_map(|l| l.as_str().map(String::from)).collect();
            world.lock().unwrap().test_logs.push(logs.clone());
            let members: String = logs.iter().map(|l| format!("<member>{}</member>", xml_escape(l))).collect();
            let f = world.lock().unwrap().functions.get(*name).cloned().unwrap();
            let result = format!(
                "<TestResult>{}<ComputeUtilization>{}</ComputeUtilization><FunctionExecutionLogs>{members}</FunctionExecutionLogs><FunctionErrorMessage>{}</FunctionErrorMessage><FunctionOutput>{}</FunctionOutput></TestResult>",
                f.summary("DEVELOPMENT"),
                ran["utilization"].as_str().unwrap_or("0"),
                xml_escape(ran["error"].as_str().unwrap_or("")),
                xml_escape(ran["output"].as_str().unwrap_or("")),
            );
            Response::xml(200, None, result)
        }
        ("POST", ["function", name, "publish"]) => {
            let mut world = world.lock().unwrap();
            let Some(f) = world.functions.get_mut(*name) else {
                return Response::xml_error(404, "NoSuchFunctionExists", "no such function");
            };
            if f.etag() != if_match {
                return Response::xml_error(412, "PreconditionFailed", "stale ETag");
            }
            f.live = Some(f.development.clone());
            Response::xml(200, None, f.summary("LIVE"))
        }
        ("DELETE", ["function", name]) => {
            let mut world = world.lock().unwrap();
            match world.functions.get(*name) {
                None => Response::xml_error(404, "NoSuchFunctionExists", "no such function"),
                Some(f) if f.etag() != if_match => Response::xml_error(412, "PreconditionFailed", "stale ETag"),
                Some(_) => {
                    world.functions.remove(*name);
                    Response::new(204, &[], "")
                }
            }
        }
        _ => match moto {
            Some(moto) => distribution_call(&world, request, moto).await,
            None => Response::xml_error(404, "NotFound", "this fake has no moto behind it"),
        },
    }
}

fn tags_of(xml: &str, name: &str) -> Vec<String> {
    elements(xml, name).into_iter().map(|(s, e)| xml[s + name.len() + 2..e - name.len() - 3].to_string()).collect()
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn kvs_xml(store: &Store) -> String {
    format!(
        "<KeyValueStore><Name>{}</Name><Id>{}</Id><Comment>{}</Comment><ARN>{}</ARN><Status>READY</Status><LastModifiedTime>2026-01-01T00:00:00Z</LastModifiedTime></KeyValueStore>",
        store.name,
        store.id,
        xml_escape(&store.comment),
        store.arn
    )
}

/// Run a Node script of `tests/router/` with `input` as JSON on stdin; its JSON answer.
pub fn run_node(script: &str, input: &Value) -> Value {
    use std::io::Write as _;
    let mut child = std::process::Command::new("node")
        .arg(script)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("node runs the router (scripts/test-router installs it)");
    child.stdin.take().unwrap().write_all(input.to_string().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "node {script}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("node {script} said no JSON ({e})"))
}

/// A distribution call, passed on to moto; the `FunctionAssociations` of an update are kept, and
/// put back into every answer about that distribution.
async fn distribution_call(world: &Arc<Mutex<World>>, mut request: Request, moto: SocketAddr) -> Response {
    let id = request
        .path
        .strip_prefix("/2020-05-31/distribution/")
        .map(|rest| rest.split('/').next().unwrap_or("").to_string());
    if let (Some(id), "PUT") = (&id, request.method.as_str()) {
        let body = request.text();
        let mut kept = world.lock().unwrap();
        for (path, associations) in associations_of(&body) {
            kept.associations.insert((id.clone(), path), associations);
        }
        for (path, arn) in realtime_arns_of(&body) {
            kept.realtime_arns.insert((id.clone(), path), arn);
        }
    }
    request.headers.retain(|(n, _)| n != "host" && n != "connection" && n != "content-length");
    let mut response = forward(&request, moto).await;
    if let Some(id) = id.filter(|id| !id.is_empty())
        && response.status / 100 == 2
        && !response.body.is_empty()
    {
        let (kept, arns) = {
            let world = world.lock().unwrap();
            (world.associations.clone(), world.realtime_arns.clone())
        };
        let text = String::from_utf8_lossy(&response.body).into_owned();
        let text = put_back(&text, &id, &kept);
        response.body = put_back_realtime(&text, &id, &arns).into_bytes();
    }
    response
}

/// Each behavior's `FunctionAssociations` element in a distribution config: (path, element), the
/// default behavior as `*`.
fn associations_of(xml: &str) -> Vec<(String, String)> {
    let empty = "<FunctionAssociations><Quantity>0</Quantity></FunctionAssociations>".to_string();
    let element = |block: &str| {
        elements(block, "FunctionAssociations").first().map_or(empty.clone(), |(s, e)| block[*s..*e].to_string())
    };
    let mut found = Vec::new();
    for (s, e) in elements(xml, "DefaultCacheBehavior") {
        found.push(("*".to_string(), element(&xml[s..e])));
    }
    for (s, e) in elements(xml, "CacheBehavior") {
        let block = &xml[s..e];
        if let Some(path) = tag(block, "PathPattern") {
            found.push((unescape(path), element(block)));
        }
    }
    found
}

/// The behaviors' blocks of a distribution config: (start, end, path), the default as `*`, last
/// first so that replacing one keeps the earlier offsets right.
fn behavior_blocks(xml: &str) -> Vec<(usize, usize, String)> {
    let mut blocks: Vec<(usize, usize, String)> =
        elements(xml, "DefaultCacheBehavior").into_iter().map(|(s, e)| (s, e, "*".to_string())).collect();
    for (s, e) in elements(xml, "CacheBehavior") {
        if let Some(path) = tag(&xml[s..e], "PathPattern") {
            blocks.push((s, e, unescape(path)));
        }
    }
    blocks.sort_by_key(|(s, _, _)| std::cmp::Reverse(*s));
    blocks
}

/// Each behavior's `RealtimeLogConfigArn` in a distribution config (empty: none).
fn realtime_arns_of(xml: &str) -> Vec<(String, String)> {
    behavior_blocks(xml)
        .into_iter()
        .map(|(s, e, path)| (path, tag(&xml[s..e], "RealtimeLogConfigArn").map(unescape).unwrap_or_default()))
        .collect()
}

/// `xml` with each behavior's kept `RealtimeLogConfigArn` of distribution `id` (moto answers none).
fn put_back_realtime(xml: &str, id: &str, kept: &BTreeMap<(String, String), String>) -> String {
    let mut out = xml.to_string();
    for (s, e, path) in behavior_blocks(xml) {
        let Some(arn) = kept.get(&(id.to_string(), path)).filter(|a| !a.is_empty()) else { continue };
        let block = &xml[s..e];
        if block.contains("<RealtimeLogConfigArn>") {
            continue;
        }
        let close = block.rfind("</").expect("a closing tag");
        let replaced = format!(
            "{}<RealtimeLogConfigArn>{}</RealtimeLogConfigArn>{}",
            &block[..close],
            xml_escape(arn),
            &block[close..]
        );
        out.replace_range(s..e, &replaced);
    }
    out
}

/// `xml` with the kept `FunctionAssociations` of distribution `id` in place of moto's.
fn put_back(xml: &str, id: &str, kept: &BTreeMap<(String, String), String>) -> String {
    let mut out = xml.to_string();
    // Blocks from the last to the first, so that earlier offsets stay right.
    let mut blocks: Vec<(usize, usize, String)> =
        elements(xml, "DefaultCacheBehavior").into_iter().map(|(s, e)| (s, e, "*".to_string())).collect();
    for (s, e) in elements(xml, "CacheBehavior") {
        if let Some(path) = tag(&xml[s..e], "PathPattern") {
            blocks.push((s, e, unescape(path)));
        }
    }
    blocks.sort_by_key(|(s, _, _)| std::cmp::Reverse(*s));
    for (s, e, path) in blocks {
        let Some(element) = kept.get(&(id.to_string(), path)) else { continue };
        let block = &xml[s..e];
        let replaced = match elements(block, "FunctionAssociations").first() {
            Some((fs, fe)) => format!("{}{element}{}", &block[..*fs], &block[*fe..]),
            None => continue,
        };
        out.replace_range(s..e, &replaced);
    }
    out
}

/// The request sent to moto on a connection of its own; its whole answer.
async fn forward(request: &Request, moto: SocketAddr) -> Response {
    let mut socket = TcpStream::connect(moto).await.expect("moto is up");
    let mut head = format!(
        "{} {} HTTP/1.1\r\nHost: {moto}\r\nConnection: close\r\nContent-Length: {}\r\n",
        request.method,
        request.target,
        request.body.len()
    );
    for (name, value) in &request.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    socket.write_all(head.as_bytes()).await.unwrap();
    socket.write_all(&request.body).await.unwrap();
    let mut raw = Vec::new();
    socket.read_to_end(&mut raw).await.unwrap();
    let head_end = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("an HTTP answer");
    let head = String::from_utf8_lossy(&raw[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let status: u16 = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> =
        lines.filter_map(|l| l.split_once(':')).map(|(n, v)| (n.trim().to_string(), v.trim().to_string())).collect();
    let mut body = raw[head_end + 4..].to_vec();
    let chunked = headers.iter().any(|(n, v)| n.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        body = dechunk(&body);
    }
    Response { status, headers, body }
}

fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(line_end) = raw.windows(2).position(|w| w == b"\r\n") else { return out };
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&raw[..line_end]).split(';').next().unwrap().trim(), 16)
                .unwrap_or(0);
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&raw[line_end + 2..line_end + 2 + size]);
        raw = &raw[line_end + 2 + size + 2..];
    }
}

/// The KeyValueStore data plane: `/key-value-stores/{ARN}` and `/key-value-stores/{ARN}/keys`.
fn data_plane(world: &Arc<Mutex<World>>, request: &Request) -> Response {
    let Some(rest) = request.path.strip_prefix("/key-value-stores/") else {
        return Response::json_error(404, "UnknownOperationException", "no such path");
    };
    let (arn, keys) = match rest.strip_suffix("/keys") {
        Some(arn) => (arn, true),
        None => (rest, false),
    };
    let mut world = world.lock().unwrap();
    let Some(store) = world.store_by_arn(arn) else {
        return Response::json_error(404, "ResourceNotFoundException", "no such store");
    };
    match (request.method.as_str(), keys) {
        ("GET", false) => {
            let size: usize = store.items.iter().map(|(k, v)| k.len() + v.len()).sum();
            let body = json!({
                "KvsARN": store.arn, "Created": 1_767_225_600, "LastModified": 1_767_225_600,
                "ItemCount": store.items.len(), "TotalSizeInBytes": size, "Status": "READY",
            });
            let mut out = Response::new(200, &[("Content-Type", "application/json")], body.to_string());
            out.headers.push(("ETag".into(), store.etag()));
            out
        }
        ("GET", true) => {
            let asked: usize = request.query.get("MaxResults").map_or(10, |n| n.parse().unwrap_or(10));
            let after = request.query.get("NextToken").map(|t| t.trim_start_matches("after:").to_string());
            let listed: Vec<&String> =
                store.items.keys().filter(|k| after.as_ref().is_none_or(|a| k.as_str() > a.as_str())).collect();
            let page = &listed[..listed.len().min(asked.min(2))];
            let items: Vec<Value> =
                page.iter().map(|k| json!({ "Key": k, "Value": store.items[k.as_str()] })).collect();
            let mut body = json!({ "Items": items });
            if page.len() < listed.len() {
                body["NextToken"] = json!(format!("after:{}", page.last().unwrap()));
            }
            Response::new(200, &[("Content-Type", "application/json")], body.to_string())
        }
        ("POST", true) => {
            if request.header("if-match") != store.etag() {
                return Response::json_error(400, "ValidationException", "Pre-Condition failed");
            }
            let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
            for put in body["Puts"].as_array().into_iter().flatten() {
                let (key, value) = (put["Key"].as_str().unwrap_or(""), put["Value"].as_str().unwrap_or(""));
                if value.len() > 1024 || key.len() > 512 {
                    return Response::json_error(400, "ValidationException", "key or value too long");
                }
                store.items.insert(key.into(), value.into());
            }
            for delete in body["Deletes"].as_array().into_iter().flatten() {
                store.items.remove(delete["Key"].as_str().unwrap_or(""));
            }
            store.serial += 1;
            let mut out = Response::new(
                200,
                &[("Content-Type", "application/json")],
                json!({ "ItemCount": store.items.len(), "TotalSizeInBytes": 0 }).to_string(),
            );
            out.headers.push(("ETag".into(), store.etag()));
            out
        }
        _ => Response::json_error(404, "UnknownOperationException", "no such operation"),
    }
}
