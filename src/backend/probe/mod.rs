//! Probes through the distribution: the [`Prober`] trait the console and `cutover probe` call,
//! and the live implementation over HTTP ([`HttpProber`]). The demo's is `SimProber`, in the
//! simulated world (which depends on this trait, not the other way round). Both classify what they hear with
//! [`crate::domain::probe::classify`], and neither ever returns an error: whatever goes wrong
//! (refused, timeout, TLS, a status other than expected, the rate cap) is the answer's finding.

mod http;
pub mod rate;

use async_trait::async_trait;

pub use self::http::{HttpProber, USER_AGENT};
// The notifier's webhook client trusts what the probes trust.
pub(crate) use self::http::tls_config;
pub use self::rate::RateCap;
use crate::domain::probe::{ProbeAnswer, ProbeSpec};

/// Something that can send a probe and say what came back.
#[async_trait]
pub trait Prober: Send + Sync + 'static {
    /// One probe of `spec`. Never fails: a probe that got nothing back is an answer whose `status`
    /// is `None` and whose `finding` says why.
    async fn probe(&self, spec: &ProbeSpec) -> ProbeAnswer;
}
