//! Sending notifications (issue 23), off the UI task: a webhook, an SNS topic, the demo's file.
//!
//! [`spawn_notifier`] starts one tokio task per target and gives back a [`Notifier`], whose
//! [`Notifier::send`] never blocks: it keeps what `on` chose and hands it to each target's queue.
//! Each task joins what arrives within a second into one message (`notify::batch`), sends it, and
//! sends nothing more for a second: at most one message a second per target. A webhook's `429`
//! waits as its `Retry-After` says, a 5xx or a network error is tried again with backoff a few
//! times, then the message is dropped; failures and the recovery after them go to the caller's
//! reporter (the console logs them). A failure never holds up anything but that target's queue.
//!
//! [`targets_of`] reads `[notify]` into targets. `webhook` is the POST (the probes' hyper 1 client),
//! `sns` the `Publish`, `file` the JSON lines.

mod file;
mod sns;
mod webhook;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use aws_config::SdkConfig;

use crate::clock::Clock;
use crate::config::notify::Notify;
use crate::notify::batch::MAX_LINES;
use crate::notify::retry::{Verdict, backoff};
use crate::notify::{Message, Notice, NotifyOn};

pub use sns::sns_client;

/// How many notices a target's queue holds while it waits (a slow webhook, a `Retry-After`); more
/// are dropped, and said once.
const QUEUE: usize = 1000;

/// Where notifications go.
pub enum Target {
    /// A Slack-compatible webhook: `{"text": …}` POSTed as JSON.
    Webhook { url: String },
    /// An SNS topic: `Publish` with a subject and the message.
    Sns { client: aws_sdk_sns::Client, topic_arn: String },
    /// A file of JSON lines `{"time": …, "text": …}` (the demo's `notify-demo.jsonl`).
    File { path: PathBuf },
}

impl Target {
    /// How reports name it: never the webhook's path, which is its secret.
    pub fn label(&self) -> String {
        match self {
            Target::Webhook { url } => format!("the webhook on {}", webhook::host_of(url)),
            Target::Sns { topic_arn, .. } => format!("the SNS topic {topic_arn}"),
            Target::File { path } => format!("the file {}", path.display()),
        }
    }
}

/// What the caller hears of the targets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotifyReport {
    /// A message could not be sent and was dropped (`lines`: how many notices it joined).
    Failed { target: String, why: String, lines: usize },
    /// A message went through after a failure.
    Recovered { target: String },
    /// The queue was full: notices were dropped until it had room again.
    Overflowed { target: String },
}

/// The reporter the console hands in: called from the targets' tasks, it must not block.
pub type Reporter = Arc<dyn Fn(NotifyReport) + Send + Sync>;

/// How the notifier behaves; [`NotifierOptions::new`] gives the defaults.
#[derive(Clone)]
pub struct NotifierOptions {
    /// What to send; other notices are dropped at [`Notifier::send`].
    pub on: NotifyOn,
    /// Notices within this of the first are one message, and a target gets at most one message in
    /// it (1 s).
    pub coalesce: Duration,
    /// The first backoff after a 5xx or a network error, doubled each time (1 s).
    pub retry_base: Duration,
    /// Attempts of one message before it is dropped (4).
    pub attempts: u32,
    /// How long one attempt may take (10 s).
    pub timeout: Duration,
    /// The file target's time stamps (the demo's clock in the demo).
    pub clock: Clock,
    pub report: Reporter,
}

impl NotifierOptions {
    pub fn new(on: NotifyOn, clock: Clock, report: impl Fn(NotifyReport) + Send + Sync + 'static) -> Self {
        NotifierOptions {
            on,
            coalesce: Duration::from_secs(1),
            retry_base: Duration::from_secs(1),
            attempts: 4,
            timeout: Duration::from_secs(10),
            clock,
            report: Arc::new(report),
        }
    }
}

/// The targets `[notify]` names: its webhook (the URL read from the environment when
/// `webhook_url_env` names it) and its SNS topic, with a client of `sdk` in the topic's region.
/// An error is one sentence that says what to do (the variable is not set, or holds no URL).
pub fn targets_of(notify: &Notify, sdk: &SdkConfig) -> Result<Vec<Target>, String> {
    let mut targets = Vec::new();
    if let Some(url) = notify.webhook(|name| std::env::var(name).ok())? {
        targets.push(Target::Webhook { url });
    }
    if let Some(topic_arn) = notify.sns_topic_arn() {
        targets.push(Target::Sns { client: sns_client(sdk, topic_arn), topic_arn: topic_arn.to_string() });
    }
    Ok(targets)
}

/// The handle the console keeps: [`Notifier::send`] from anywhere, never waiting.
pub struct Notifier {
    on: NotifyOn,
    queues: Vec<Queue>,
    report: Option<Reporter>,
}

struct Queue {
    label: String,
    sender: mpsc::Sender<Notice>,
    /// Whether the last notice was dropped for want of room, so an overflow is reported once.
    overflowing: AtomicBool,
    task: JoinHandle<()>,
}

/// Starts a task per target (inside a tokio runtime) and gives back the handle that feeds them.
pub fn spawn_notifier(targets: Vec<Target>, options: NotifierOptions) -> Notifier {
    let options = Arc::new(options);
    let queues = targets
        .into_iter()
        .map(|target| {
            let (sender, receiver) = mpsc::channel(QUEUE);
            let label = target.label();
            let task = tokio::spawn(run(target, receiver, Arc::clone(&options)));
            Queue { label, sender, overflowing: AtomicBool::new(false), task }
        })
        .collect();
    Notifier { on: options.on, queues, report: Some(Arc::clone(&options.report)) }
}

impl Notifier {
    /// A notifier that sends nothing (no `[notify]`).
    pub fn disabled() -> Notifier {
        Notifier { on: NotifyOn::NONE, queues: Vec::new(), report: None }
    }

    /// Whether `notice` is something the config asked to hear of.
    pub fn wants(&self, notice: &Notice) -> bool {
        notice.on.meets(self.on)
    }

    /// Queues `notice` for every target when `on` asks for it. Never blocks.
    pub fn send(&self, notice: Notice) {
        if !self.wants(&notice) {
            return;
        }
        for queue in &self.queues {
            match queue.sender.try_send(notice.clone()) {
                Ok(()) => queue.overflowing.store(false, Ordering::Relaxed),
                Err(mpsc::error::TrySendError::Full(_)) => {
                    if !queue.overflowing.swap(true, Ordering::Relaxed)
                        && let Some(report) = &self.report
                    {
                        report(NotifyReport::Overflowed { target: queue.label.clone() });
                    }
                }
                // The task ended (a panic, the runtime going down): nothing to do but drop it.
                Err(mpsc::error::TrySendError::Closed(_)) => {}
            }
        }
    }

    /// Sends what is queued and waits for the targets to finish (a headless command before it
    /// exits). Each message still gets its retries.
    pub async fn flush(self) {
        for queue in self.queues {
            drop(queue.sender);
            let _ = queue.task.await;
        }
    }
}

/// One target's task: gather, send, pause; until the notifier is dropped and the queue is empty.
async fn run(target: Target, mut receiver: mpsc::Receiver<Notice>, options: Arc<NotifierOptions>) {
    let label = target.label();
    let sender = match target {
        Target::Webhook { url } => Sender::Webhook(Box::new(webhook::Webhook::new(url))),
        Target::Sns { client, topic_arn } => Sender::Sns(client, topic_arn),
        Target::File { path } => Sender::File(path),
    };
    let mut failing = false;
    while let Some(first) = receiver.recv().await {
        let began = Instant::now();
        let mut notices = vec![first];
        while notices.len() < MAX_LINES {
            match tokio::time::timeout_at(began + options.coalesce, receiver.recv()).await {
                Ok(Some(notice)) => notices.push(notice),
                Ok(None) | Err(_) => break,
            }
        }
        let message = Message::join(&notices);
        let sent_at = Instant::now();
        match deliver(&sender, &message, &options).await {
            Ok(()) if failing => {
                failing = false;
                (options.report)(NotifyReport::Recovered { target: label.clone() });
            }
            Ok(()) => {}
            Err(why) => {
                failing = true;
                tracing::warn!(target = %label, %why, lines = message.count, "a notification was dropped");
                (options.report)(NotifyReport::Failed { target: label.clone(), why, lines: message.count });
            }
        }
        // At most one message a second, even when a burst filled a message before its second.
        tokio::time::sleep_until(sent_at + options.coalesce).await;
    }
}

enum Sender {
    // Boxed: the client is large, and there is one sender per task.
    Webhook(Box<webhook::Webhook>),
    Sns(aws_sdk_sns::Client, String),
    File(PathBuf),
}

impl Sender {
    async fn once(&self, message: &Message, options: &NotifierOptions) -> Verdict {
        let attempt = async {
            match self {
                Sender::Webhook(hook) => hook.post(message).await,
                Sender::Sns(client, topic) => sns::publish(client, topic, message).await,
                Sender::File(path) => file::append(path, message, options.clock.now()).await,
            }
        };
        tokio::time::timeout(options.timeout, attempt)
            .await
            .unwrap_or_else(|_| Verdict::Retry(format!("no answer within {}s", options.timeout.as_secs())))
    }
}

/// One message, with its retries: `Ok` once sent, else why it was dropped.
async fn deliver(sender: &Sender, message: &Message, options: &NotifierOptions) -> Result<(), String> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let (wait, why) = match sender.once(message, options).await {
            Verdict::Sent => return Ok(()),
            Verdict::GiveUp(why) => return Err(why),
            Verdict::RetryAfter(wait) => (wait, "429 Too Many Requests".to_string()),
            Verdict::Retry(why) => (backoff(options.retry_base, attempt), why),
        };
        if attempt >= options.attempts {
            return Err(format!("{why} (tried {attempt} times)"));
        }
        tokio::time::sleep(wait).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_config_names_the_targets() {
        let text = "[notify]\nwebhook_url = \"https://hooks.example/services/T/B/secret\"\nsns_topic_arn = \
                    \"arn:aws:sns:eu-central-1:123456789012:oncall\"\n[[distribution]]\nid = \"E1\"\nlambda_origins = \
                    [\"l\"]\nlegacy_origins = [\"o\"]\n";
        let config = crate::config::parse(text, "c").unwrap();
        let sdk = SdkConfig::builder().behavior_version(aws_config::BehaviorVersion::latest()).build();
        let targets = targets_of(config.notify.as_ref().unwrap(), &sdk).unwrap();
        let labels: Vec<String> = targets.iter().map(Target::label).collect();
        assert_eq!(
            labels,
            ["the webhook on hooks.example", "the SNS topic arn:aws:sns:eu-central-1:123456789012:oncall"]
        );
        let Target::Sns { client, .. } = &targets[1] else { panic!() };
        assert_eq!(client.config().region().map(|r| r.as_ref()), Some("eu-central-1"));
    }

    #[tokio::test]
    async fn a_disabled_notifier_takes_anything_and_sends_nothing() {
        let notifier = Notifier::disabled();
        let notice = Notice::audit_failure("alice", "E1", "disk full");
        assert!(!notifier.wants(&notice));
        notifier.send(notice);
        notifier.flush().await;
    }
}
