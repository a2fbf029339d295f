//! Notifications to a webhook (issue 23): a local HTTP/1.1 server on 127.0.0.1 that answers as the
//! test scripts it (429 with `Retry-After`, 500, 200) and keeps every request with the time it came;
//! and the demo's file target. Real time, measured: the waits are a second or two.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cutover::backend::notify::{NotifierOptions, NotifyReport, Target, spawn_notifier};
use cutover::clock::Clock;
use cutover::domain::Target as Side;
use cutover::notify::{Notice, NotifyEvent, NotifyOn};

/// One request the server received.
#[derive(Clone, Debug)]
struct Received {
    at: Instant,
    content_type: String,
    text: String,
}

/// A webhook on 127.0.0.1 answering each request with the next scripted `(status, extra header)`,
/// then 200.
struct Hook {
    url: String,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Hook {
    fn start(script: Vec<(u16, Option<&'static str>)>) -> Hook {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/services/T0/B0/secret", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&received);
        std::thread::spawn(move || {
            let mut script = script.into_iter();
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let Some(request) = read_request(&mut stream) else { continue };
                log.lock().unwrap().push(request);
                let (status, header) = script.next().unwrap_or((200, None));
                let header = header.map(|h| format!("{h}\r\n")).unwrap_or_default();
                let reply = format!("HTTP/1.1 {status} X\r\n{header}Content-Length: 2\r\nConnection: close\r\n\r\nok");
                let _ = stream.write_all(reply.as_bytes());
            }
        });
        Hook { url, received }
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

/// A POST's head and body; its `text` field read from the JSON.
fn read_request(stream: &mut std::net::TcpStream) -> Option<Received> {
    let at = Instant::now();
    let mut reader = BufReader::new(stream);
    let (mut length, mut content_type) = (0, String::new());
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            match name.to_ascii_lowercase().as_str() {
                "content-length" => length = value.trim().parse().ok()?,
                "content-type" => content_type = value.trim().to_string(),
                _ => {}
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    let json: serde_json::Value = serde_json::from_slice(&body).ok()?;
    Some(Received { at, content_type, text: json["text"].as_str()?.to_string() })
}

fn options(on: NotifyOn, reports: &Arc<Mutex<Vec<NotifyReport>>>) -> NotifierOptions {
    let reports = Arc::clone(reports);
    let mut options = NotifierOptions::new(on, Clock::real(), move |r| reports.lock().unwrap().push(r));
    // Backoff short enough that a wait of seconds can only be the Retry-After's.
    options.retry_base = Duration::from_millis(100);
    options
}

fn switch_notice(route: &str) -> Notice {
    let record = cutover::audit::AuditRecord::new(
        jiff::Timestamp::now(),
        cutover::audit::RecordKind::SwitchRequested,
        cutover::audit::Environment::Live,
        "alice@laptop-7",
        "E2ABC",
    )
    .with_routes([route])
    .with_targets(Side::Lambda, Side::Origin);
    Notice::of_record(&record, &Default::default()).unwrap()
}

/// Waits until `done` holds, for at most ten seconds (a loaded machine is slow, never wrong).
async fn wait_for(done: impl Fn() -> bool) {
    let began = Instant::now();
    while !done() {
        assert!(began.elapsed() < Duration::from_secs(10), "not within ten seconds");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_429_waits_as_its_retry_after_says_then_the_message_arrives() {
    let hook = Hook::start(vec![(429, Some("Retry-After: 2"))]);
    let reports = Arc::new(Mutex::new(Vec::new()));
    let notifier =
        spawn_notifier(vec![Target::Webhook { url: hook.url.clone() }], options(NotifyOn::default_set(), &reports));
    notifier.send(switch_notice("/orders/*"));
    notifier.flush().await;
    let got = hook.received();
    assert_eq!(got.len(), 2, "{got:?}");
    let gap = got[1].at - got[0].at;
    assert!(gap >= Duration::from_millis(1900), "Retry-After: 2 was not honoured: {gap:?}");
    assert_eq!(got[1].text, "alice@laptop-7: switch /orders/* λ Lambda → ◼ origin requested on E2ABC");
    assert_eq!(got[1].content_type, "application/json");
    assert!(reports.lock().unwrap().is_empty(), "a message that went through is no failure");
}

#[tokio::test]
async fn a_500_is_tried_again_and_a_target_that_keeps_failing_is_reported_then_its_recovery() {
    let hook = Hook::start(vec![(500, None), (500, None), (503, None)]);
    let reports = Arc::new(Mutex::new(Vec::new()));
    let mut options = options(NotifyOn::default_set(), &reports);
    options.attempts = 2;
    let notifier = spawn_notifier(vec![Target::Webhook { url: hook.url.clone() }], options);
    notifier.send(switch_notice("/a/*"));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    // The first message: 500, 500, dropped. The second: 503, then 200.
    notifier.send(switch_notice("/b/*"));
    notifier.flush().await;
    let got = hook.received();
    assert_eq!(got.len(), 4, "{got:?}");
    assert!(got[1].at - got[0].at >= Duration::from_millis(100), "a 5xx backs off");
    assert!(got[3].text.contains("/b/*"));
    let reports = reports.lock().unwrap().clone();
    assert_eq!(reports.len(), 2, "{reports:?}");
    let NotifyReport::Failed { target, why, lines } = &reports[0] else { panic!("{reports:?}") };
    assert_eq!((why.as_str(), *lines), ("HTTP 500 (tried 2 times)", 1));
    assert!(target.starts_with("the webhook on 127.0.0.1:") && !target.contains("secret"), "{target}");
    assert!(matches!(&reports[1], NotifyReport::Recovered { .. }));
}

#[tokio::test]
async fn a_burst_within_a_second_arrives_as_one_message_and_the_next_a_second_later() {
    let hook = Hook::start(vec![]);
    let reports = Arc::new(Mutex::new(Vec::new()));
    let notifier =
        spawn_notifier(vec![Target::Webhook { url: hook.url.clone() }], options(NotifyOn::default_set(), &reports));
    for i in 0..10 {
        notifier.send(switch_notice(&format!("/r{i}/*")));
    }
    // The next notice once the burst's message has arrived: it starts a message of its own.
    wait_for(|| !hook.received().is_empty()).await;
    notifier.send(switch_notice("/late/*"));
    notifier.flush().await;
    let got = hook.received();
    assert_eq!(got.len(), 2, "{got:?}");
    let lines: Vec<&str> = got[0].text.lines().collect();
    assert_eq!(lines.len(), 10);
    assert!(lines[0].contains("/r0/*") && lines[9].contains("/r9/*"), "in the order they came");
    assert!(got[1].at - got[0].at >= Duration::from_millis(990), "at most one message a second");
}

#[tokio::test]
async fn only_what_on_chose_is_sent_and_markup_is_escaped() {
    let hook = Hook::start(vec![]);
    let reports = Arc::new(Mutex::new(Vec::new()));
    let notifier = spawn_notifier(
        vec![Target::Webhook { url: hook.url.clone() }],
        options(NotifyOn::of(&[NotifyEvent::OutsideChange]), &reports),
    );
    notifier.send(switch_notice("/orders/*"));
    notifier.send(Notice::outside_change("<!channel> & /x/*", "λ Lambda", "◼ origin", None, "E2ABC"));
    notifier.flush().await;
    let got = hook.received();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(
        got[0].text,
        "someone (not known yet): &lt;!channel&gt; &amp; /x/* changed outside cutover: λ Lambda → ◼ origin on E2ABC"
    );
}

#[tokio::test]
async fn a_webhook_that_cannot_be_reached_is_reported_and_never_blocks() {
    // Port 1: nobody listens there (a free port could be taken by another test's server).
    let port = 1;
    let reports = Arc::new(Mutex::new(Vec::new()));
    let mut options = options(NotifyOn::default_set(), &reports);
    options.attempts = 2;
    let notifier = spawn_notifier(vec![Target::Webhook { url: format!("http://127.0.0.1:{port}/hook") }], options);
    let began = Instant::now();
    for i in 0..2000 {
        notifier.send(switch_notice(&format!("/r{i}/*")));
    }
    assert!(began.elapsed() < Duration::from_millis(500), "send never waits");
    let failed = |r: &NotifyReport| matches!(r, NotifyReport::Failed { .. });
    wait_for(|| reports.lock().unwrap().iter().any(failed)).await;
    let reports = reports.lock().unwrap().clone();
    assert!(reports.iter().any(|r| matches!(r, NotifyReport::Overflowed { .. })), "{reports:?}");
    assert!(
        reports.iter().any(|r| matches!(r, NotifyReport::Failed { why, .. } if why.contains("could not be reached"))),
        "{reports:?}"
    );
}

#[tokio::test]
async fn the_demo_file_gets_a_json_line_a_message() {
    let dir = std::env::temp_dir().join(format!("cutover-notify-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("notify-demo.jsonl");
    let _ = std::fs::remove_file(&path);
    let reports = Arc::new(Mutex::new(Vec::new()));
    let notifier =
        spawn_notifier(vec![Target::File { path: path.clone() }], options(NotifyOn::default_set(), &reports));
    notifier.send(switch_notice("/orders/*"));
    notifier.send(Notice::audit_failure("alice", "E2ABC", "disk full"));
    notifier.flush().await;
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 1, "one message: {text}");
    assert!(lines[0]["time"].as_str().unwrap().parse::<jiff::Timestamp>().is_ok());
    assert_eq!(
        lines[0]["text"],
        "alice@laptop-7: switch /orders/* λ Lambda → ◼ origin requested on E2ABC\nalice: the audit trail could not be written on E2ABC: disk full"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
