//! Custom origin request and cache policies, read once per id (`GetOriginRequestPolicy`,
//! `GetCachePolicy`) for the pre-flight. A refused read is remembered as the reason the check could
//! not be made, and asked again on the next topology read; a policy read once is kept for the session.

use std::collections::HashMap;
use std::sync::Mutex;

use aws_sdk_cloudfront::types::{CachePolicyHeaderBehavior, OriginRequestPolicyHeaderBehavior};

use super::errors::from_sdk;
use crate::domain::preflight::{PolicyBook, PolicyFacts, PolicyKind};

#[derive(Debug, Default)]
pub struct PolicyCache {
    read: Mutex<HashMap<(PolicyKind, String), PolicyFacts>>,
}

impl Clone for PolicyCache {
    fn clone(&self) -> Self {
        PolicyCache { read: Mutex::new(self.lock().clone()) }
    }
}

impl PolicyCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(PolicyKind, String), PolicyFacts>> {
        self.read.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The facts of every wanted policy, read from AWS when not read before.
    pub async fn book(&self, client: &aws_sdk_cloudfront::Client, wanted: &[(PolicyKind, String)]) -> PolicyBook {
        let mut book = PolicyBook::new();
        for key in wanted {
            if book.contains_key(key) {
                continue;
            }
            if let Some(facts) = self.lock().get(key).cloned() {
                book.insert(key.clone(), Ok(facts));
                continue;
            }
            let result = read(client, key.0, &key.1).await;
            if let Ok(facts) = &result {
                self.lock().insert(key.clone(), facts.clone());
            }
            book.insert(key.clone(), result);
        }
        book
    }
}

async fn read(client: &aws_sdk_cloudfront::Client, kind: PolicyKind, id: &str) -> Result<PolicyFacts, String> {
    let has_host = |items: &[String]| items.iter().any(|h| h.eq_ignore_ascii_case("host"));
    match kind {
        PolicyKind::OriginRequest => {
            let out = client.get_origin_request_policy().id(id).send().await.map_err(|e| {
                format!("GetOriginRequestPolicy {id} failed: {}", from_sdk("GetOriginRequestPolicy", e))
            })?;
            let config = out
                .origin_request_policy()
                .and_then(|p| p.origin_request_policy_config())
                .ok_or_else(|| format!("GetOriginRequestPolicy {id} returned no config"))?;
            let headers = config.headers_config();
            let listed = headers.and_then(|h| h.headers()).map(|h| h.items()).unwrap_or_default();
            let forwards_host = match headers.map(|h| h.header_behavior()) {
                Some(OriginRequestPolicyHeaderBehavior::AllViewer)
                | Some(OriginRequestPolicyHeaderBehavior::AllViewerAndWhitelistCloudFront) => true,
                Some(OriginRequestPolicyHeaderBehavior::AllExcept) => !has_host(listed),
                Some(OriginRequestPolicyHeaderBehavior::Whitelist) => has_host(listed),
                _ => false,
            };
            Ok(PolicyFacts { name: config.name().to_string(), forwards_host, ttls: None })
        }
        PolicyKind::Cache => {
            let out = client
                .get_cache_policy()
                .id(id)
                .send()
                .await
                .map_err(|e| format!("GetCachePolicy {id} failed: {}", from_sdk("GetCachePolicy", e)))?;
            let config = out
                .cache_policy()
                .and_then(|p| p.cache_policy_config())
                .ok_or_else(|| format!("GetCachePolicy {id} returned no config"))?;
            let headers = config.parameters_in_cache_key_and_forwarded_to_origin().and_then(|p| p.headers_config());
            let listed = headers.and_then(|h| h.headers()).map(|h| h.items()).unwrap_or_default();
            let forwards_host = headers
                .is_some_and(|h| *h.header_behavior() == CachePolicyHeaderBehavior::Whitelist && has_host(listed));
            let ttls = Some((config.default_ttl().unwrap_or(86_400), config.max_ttl().unwrap_or(31_536_000)));
            Ok(PolicyFacts { name: config.name().to_string(), forwards_host, ttls })
        }
    }
}
