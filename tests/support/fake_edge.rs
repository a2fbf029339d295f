//! A stand-in for CloudFront in front of API Gateway and an ELB, on 127.0.0.1 only: every answer
//! carries `Via`, `X-Cache`, `X-Amz-Cf-Pop` and `X-Amz-Cf-Id` as CloudFront's do, and the headers of
//! whichever backend serves at that moment (`x-amz-apigw-id` only when a REST API does). A test
//! switches the backend, the status or the silence mid-run, and reads back the requests it got.
//!
//! Plain threads and `std::net`, so that it serves an in-process prober and the real binary alike.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// Who serves behind the fake edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behind {
    /// API Gateway REST API: `x-amzn-RequestId`, `x-amz-apigw-id`, `X-Amzn-Trace-Id`.
    RestApi,
    /// API Gateway HTTP API: `Apigw-Requestid`.
    HttpApi,
    /// A Lambda function URL: `x-amzn-RequestId` and `X-Amzn-Trace-Id`.
    FunctionUrl,
    /// The monolith's ELB: nothing that names it (`Server: nginx`), and the marker if one is set.
    Elb,
}

/// The edges the fake answers from, in turn.
pub const POPS: [&str; 3] = ["IAD89-C1", "FRA56-P2", "NRT57-P3"];

#[derive(Debug)]
struct Script {
    behind: Behind,
    status: u16,
    /// Accept and read, never answer.
    silent: bool,
    /// `X-Cache` on answers that are not errors.
    cache: &'static str,
    /// A header and value the ELB adds (`x-served-by: monolith`).
    elb_marker: Option<(String, String)>,
    /// Every request's head as received.
    requests: Vec<String>,
}

pub struct FakeEdge {
    address: SocketAddr,
    script: Arc<Mutex<Script>>,
    stop: Arc<AtomicBool>,
}

impl FakeEdge {
    /// Listening on 127.0.0.1 on a free port, answering from `behind` with 200.
    pub fn start(behind: Behind) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let script = Arc::new(Mutex::new(Script {
            behind,
            status: 200,
            silent: false,
            cache: "Miss from cloudfront",
            elb_marker: None,
            requests: Vec::new(),
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let (accept_script, accept_stop) = (Arc::clone(&script), Arc::clone(&stop));
        thread::spawn(move || {
            for stream in listener.incoming() {
                if accept_stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (script, stop) = (Arc::clone(&accept_script), Arc::clone(&accept_stop));
                thread::spawn(move || serve(stream, &script, &stop));
            }
        });
        FakeEdge { address, script, stop }
    }

    /// `http://127.0.0.1:PORT`, for a probe's `base_url`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    pub fn switch_to(&self, behind: Behind) {
        self.script.lock().unwrap().behind = behind;
    }

    pub fn answer_with(&self, status: u16) {
        self.script.lock().unwrap().status = status;
    }

    /// From now on, read each request and never answer it.
    pub fn go_silent(&self) {
        self.script.lock().unwrap().silent = true;
    }

    pub fn cache(&self, x_cache: &'static str) {
        self.script.lock().unwrap().cache = x_cache;
    }

    pub fn mark_elb(&self, header: &str, value: &str) {
        self.script.lock().unwrap().elb_marker = Some((header.to_string(), value.to_string()));
    }

    /// Every request head received so far, lowercased, in order.
    pub fn requests(&self) -> Vec<String> {
        self.script.lock().unwrap().requests.clone()
    }
}

impl Drop for FakeEdge {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accepting thread so that it sees the flag.
        let _ = TcpStream::connect(self.address);
    }
}

/// A port on 127.0.0.1 that nothing listens on: connections to it are refused.
pub fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

fn serve(mut stream: TcpStream, script: &Mutex<Script>, stop: &AtomicBool) {
    let Some(head) = read_head(&mut stream) else { return };
    let (response, silent) = {
        let mut script = script.lock().unwrap();
        script.requests.push(head.to_ascii_lowercase());
        let n = script.requests.len();
        (respond(&script, n, head.starts_with("HEAD ")), script.silent)
    };
    if silent {
        while !stop.load(Ordering::SeqCst) {
            thread::sleep(Duration::from_millis(20));
        }
        return;
    }
    let _ = stream.write_all(response.as_bytes());
    let _ = stream.flush();
}

fn read_head(stream: &mut TcpStream) -> Option<String> {
    stream.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return None,
        }
        if head.len() > 64 * 1024 {
            return None;
        }
    }
    Some(String::from_utf8_lossy(&head).into_owned())
}

fn respond(script: &Script, n: usize, head_only: bool) -> String {
    let status = script.status;
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Whatever",
    };
    let cache = if status >= 400 { "Error from cloudfront" } else { script.cache };
    let mut headers = vec![
        ("Content-Type".to_string(), "application/json".to_string()),
        ("Via".to_string(), format!("1.1 {n:032x}.cloudfront.net (CloudFront)")),
        ("X-Cache".to_string(), cache.to_string()),
        ("X-Amz-Cf-Pop".to_string(), POPS[(n - 1) % POPS.len()].to_string()),
        ("X-Amz-Cf-Id".to_string(), format!("fake-{n}==")),
    ];
    let request_id = format!("0000{n:04}-aaaa-bbbb-cccc-ddddeeeeffff");
    match script.behind {
        Behind::RestApi => {
            headers.push(("x-amzn-RequestId".into(), request_id));
            headers.push(("x-amz-apigw-id".into(), format!("Ab{n}Cd=")));
            headers.push(("X-Amzn-Trace-Id".into(), format!("Root=1-{n:08x}-abc")));
        }
        Behind::HttpApi => headers.push(("Apigw-Requestid".into(), format!("Ab{n}Cd="))),
        Behind::FunctionUrl => {
            headers.push(("x-amzn-RequestId".into(), request_id));
            headers.push(("X-Amzn-Trace-Id".into(), format!("root=1-{n:08x}-abc;sampled=0")));
        }
        Behind::Elb => {
            headers.push(("Server".into(), "nginx".into()));
            if let Some((header, value)) = &script.elb_marker {
                headers.push((header.clone(), value.clone()));
            }
        }
    }
    let body = if head_only { "" } else { "{}" };
    let mut text = format!("HTTP/1.1 {status} {reason}\r\nContent-Length: 2\r\nConnection: close\r\n");
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str("\r\n");
    text.push_str(body);
    text
}
