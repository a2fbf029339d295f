//! A Slack-compatible webhook: `{"text": …}` POSTed as `application/json` through the probes'
//! hyper 1 / rustls client (no second HTTP stack). Its answer is read into a [`Verdict`]; errors
//! never carry the URL, whose path is the webhook's secret.

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{CONTENT_TYPE, HeaderValue, RETRY_AFTER, USER_AGENT};
use hyper::{Method, Request, Uri};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use crate::notify::retry::{Verdict, of_status};
use crate::notify::{Message, slack};

const AGENT: &str = concat!("cutover-notify/", env!("CARGO_PKG_VERSION"));

pub(super) struct Webhook {
    url: String,
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
}

impl Webhook {
    pub(super) fn new(url: String) -> Self {
        let (tls, _) = crate::backend::probe::tls_config();
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        let connector =
            HttpsConnectorBuilder::new().with_tls_config(tls).https_or_http().enable_http1().wrap_connector(http);
        Webhook { url, client: Client::builder(TokioExecutor::new()).build(connector) }
    }

    pub(super) async fn post(&self, message: &Message) -> Verdict {
        let uri: Uri = match self.url.parse() {
            Ok(uri) => uri,
            Err(_) => return Verdict::GiveUp("the webhook URL is not a URL".into()),
        };
        let request = Request::builder()
            .method(Method::POST)
            .uri(uri)
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .header(USER_AGENT, HeaderValue::from_static(AGENT))
            .body(Full::new(Bytes::from(slack::body(&message.text))));
        let request = match request {
            Ok(request) => request,
            Err(error) => return Verdict::GiveUp(format!("the webhook request could not be made: {error}")),
        };
        match self.client.request(request).await {
            Ok(response) => {
                let retry_after = response.headers().get(RETRY_AFTER).and_then(|v| v.to_str().ok());
                of_status(response.status().as_u16(), retry_after, jiff::Timestamp::now())
            }
            Err(error) => Verdict::Retry(format!("the webhook could not be reached: {}", causes(&error))),
        }
    }
}

/// The error's causes after hyper-util's own "client error (Connect)".
fn causes(error: &(dyn std::error::Error + 'static)) -> String {
    let mut words = Vec::new();
    let mut current = Some(error);
    while let Some(e) = current {
        let text = e.to_string();
        if words.last() != Some(&text) {
            words.push(text);
        }
        current = e.source();
    }
    if words.len() > 1 { words[1..].join(": ") } else { words.join(": ") }
}

/// The URL's host (and port), for reports: `hooks.slack.com`, `127.0.0.1:9999`.
pub(super) fn host_of(url: &str) -> String {
    match url.parse::<Uri>() {
        Ok(uri) => uri.authority().map_or_else(|| "an unnamed host".to_string(), |a| a.as_str().to_string()),
        Err(_) => "a URL that does not read".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_names_the_host_never_the_secret_path() {
        assert_eq!(host_of("https://hooks.slack.com/services/T000/B000/XXXX"), "hooks.slack.com");
        assert_eq!(host_of("http://127.0.0.1:9999/hook"), "127.0.0.1:9999");
    }
}
