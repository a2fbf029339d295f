//! The router's KeyValueStore over the real SDK (its data plane, `cloudfront-keyvaluestore`, signed
//! with SigV4A): [`ShareStore`] as `DescribeKeyValueStore` for the ETag, `ListKeys` through every
//! page, and one `UpdateKeys` with `IfMatch` per write. The store itself is found, and made, over
//! the CloudFront control plane (`aws/router.rs`); this reads and writes what is in it.

use std::collections::BTreeMap;

use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_cloudfrontkeyvaluestore::config::http::HttpResponse;
use aws_sdk_cloudfrontkeyvaluestore::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cloudfrontkeyvaluestore::types::PutKeyRequestListItem;

use super::clients::key_value_store_client;
use super::errors::from_sdk;
use crate::backend::BackendError;
use crate::backend::share::{KEYS_PER_UPDATE, ShareStore, StoreState};
use crate::router::RouteRecord;

/// The most keys `ListKeys` returns in one page (AWS's limit).
const KEYS_PER_PAGE: i32 = 50;

/// One KeyValueStore, by its ARN (`arn:aws:cloudfront::ACCOUNT:key-value-store/ID`).
#[derive(Clone, Debug)]
pub struct KvsShareStore {
    client: aws_sdk_cloudfrontkeyvaluestore::Client,
    kvs_arn: String,
}

impl KvsShareStore {
    pub fn new(client: aws_sdk_cloudfrontkeyvaluestore::Client, kvs_arn: &str) -> Self {
        KvsShareStore { client, kvs_arn: kvs_arn.to_string() }
    }

    /// With a client of its own for an already loaded SDK config (see [`key_value_store_client`]:
    /// an endpoint URL in it gets the ARN's account id in front of its host).
    pub fn from_sdk_config(sdk: &SdkConfig, kvs_arn: &str) -> Self {
        Self::new(key_value_store_client(sdk), kvs_arn)
    }

    pub fn kvs_arn(&self) -> &str {
        &self.kvs_arn
    }

    /// The store's current ETag (`DescribeKeyValueStore`).
    async fn etag(&self) -> Result<String, BackendError> {
        let out = self
            .client
            .describe_key_value_store()
            .kvs_arn(&self.kvs_arn)
            .send()
            .await
            .map_err(|e| kvs_error("DescribeKeyValueStore", e))?;
        Ok(out.e_tag().to_string())
    }
}

#[async_trait]
impl ShareStore for KvsShareStore {
    async fn read(&self) -> Result<StoreState, BackendError> {
        // The ETag before the keys: a write that lands between the two leaves this ETag stale, so
        // the put built on what was listed fails its `IfMatch` and is re-read, instead of an ETag
        // read after the listing vouching for records that were never seen.
        let etag = self.etag().await?;
        let mut items = BTreeMap::new();
        let mut next_token: Option<String> = None;
        loop {
            let page = self
                .client
                .list_keys()
                .kvs_arn(&self.kvs_arn)
                .max_results(KEYS_PER_PAGE)
                .set_next_token(next_token.clone())
                .send()
                .await
                .map_err(|e| kvs_error("ListKeys", e))?;
            for item in page.items() {
                items.insert(item.key().to_string(), item.value().to_string());
            }
            match page.next_token().filter(|token| !token.is_empty()) {
                Some(token) if next_token.as_deref() == Some(token) => {
                    return Err(BackendError::Other(
                        "ListKeys handed back the page token it was given; the store could not be read to the end, press r to try again".into(),
                    ));
                }
                Some(token) => next_token = Some(token.to_string()),
                None => break,
            }
        }
        Ok(StoreState::from_items(etag, &items))
    }

    async fn put(&self, records: &[(String, RouteRecord)], if_match: &str) -> Result<String, BackendError> {
        if records.len() > KEYS_PER_UPDATE {
            return Err(BackendError::Other(format!(
                "{} records in one UpdateKeys, over the store's {KEYS_PER_UPDATE}; nothing was written",
                records.len()
            )));
        }
        let mut puts = Vec::with_capacity(records.len());
        for (pattern, record) in records {
            let key =
                RouteRecord::key(pattern).map_err(|e| BackendError::Other(format!("{e}; nothing was written")))?;
            let value = record.encode().map_err(|e| BackendError::Other(format!("{e}; nothing was written")))?;
            puts.push(PutKeyRequestListItem::builder().key(key).value(value).build().expect("key and value are set"));
        }
        let out = self
            .client
            .update_keys()
            .kvs_arn(&self.kvs_arn)
            .if_match(if_match)
            .set_puts(Some(puts))
            .send()
            .await
            .map_err(|e| kvs_error("UpdateKeys", e))?;
        Ok(out.e_tag().to_string())
    }
}

/// Whether a KVS error says the `IfMatch` ETag is no longer the store's. The service answers a
/// stale ETag with a `ValidationException` (HTTP 400) whose message says "Pre-Condition failed"
/// (what tools that write these stores retry on; AWS documents no code of its own for it). Its
/// model also has `ConflictException` (409, "Resource is not in expected state"), which emulators
/// answer a stale ETag with: that and a plain 412 are taken the same way. Any other
/// `ValidationException` is the request's fault, and re-reading would not help.
pub fn is_stale_etag(code: &str, message: &str, status: u16) -> bool {
    let message = message.to_ascii_lowercase();
    let says_precondition = message.contains("pre-condition failed") || message.contains("precondition failed");
    (code == "ValidationException" && says_precondition) || code == "ConflictException" || status == 412
}

/// One readable [`BackendError`] for a KVS call's failure: a stale ETag is
/// [`BackendError::PreconditionFailed`], a store that is gone says what to do, and the rest maps as
/// every other SDK call's does (throttling, access denied, network, timeout).
fn kvs_error<E>(operation: &str, err: SdkError<E, HttpResponse>) -> BackendError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    if let SdkError::ServiceError(service) = &err {
        let (code, message) = (service.err().code().unwrap_or(""), service.err().message().unwrap_or(""));
        let status = service.raw().status().as_u16();
        if is_stale_etag(code, message, status) {
            return BackendError::PreconditionFailed;
        }
        if code == "ResourceNotFoundException" || status == 404 {
            return BackendError::Other(format!(
                "{operation}: the router's KeyValueStore is gone ({}); run `cutover router install` to make it again",
                if message.is_empty() { code } else { message }
            ));
        }
    }
    from_sdk(operation, err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stale_etag_is_told_apart_from_other_refusals() {
        assert!(is_stale_etag("ValidationException", "Pre-Condition failed", 400));
        assert!(is_stale_etag("ValidationException", "Pre-condition failed: ETag mismatch", 400));
        assert!(is_stale_etag("ConflictException", "Resource is not in expected state", 409));
        assert!(is_stale_etag("", "", 412));
        assert!(!is_stale_etag("ValidationException", "1 validation error detected: Value at 'puts' failed", 400));
        assert!(!is_stale_etag("AccessDeniedException", "not authorized", 403));
        assert!(!is_stale_etag("ThrottlingException", "Rate exceeded", 400));
    }
}
