//! Lambda sides in other accounts, over the wire: an account's role assumed through moto's STS
//! (`AssumeRole` with a session name and an external id, then calls signed with what it gave), and
//! two accounts' metrics from LocalStack, which takes a 12-digit access key id as the account id.
//!
//! Run with `scripts/test`, or with CUTOVER_LOCALSTACK_ENDPOINT and CUTOVER_MOTO_ENDPOINT set.

mod support;

use cutover::backend::aws::clients::session_name;
use cutover::backend::aws::{AccountClients, AccountSpec};
use support::emulators::{moto, sdk_config};

const REGION: &str = "eu-west-1";

#[tokio::test]
async fn an_accounts_role_is_assumed_through_sts_and_its_credentials_are_used() {
    let base = sdk_config(&moto(), REGION);
    let spec = AccountSpec {
        name: "payments".into(),
        role_arn: Some("arn:aws:iam::210987654321:role/cutover-read".into()),
        external_id: Some("ext-42".into()),
        region: Some("eu-central-1".into()),
        ..AccountSpec::default()
    };
    let account = AccountClients::connect(&base, &spec, &session_name(Some("ana"))).await;
    assert_eq!((account.name.as_str(), account.region.as_str()), ("payments", "eu-central-1"));
    assert_eq!(account.account_id().await.unwrap(), "210987654321", "from the role ARN, without a call");
    // The call is signed with the assumed role's credentials: moto says whose they are.
    let me = account.sts.get_caller_identity().send().await.expect("GetCallerIdentity with the role's credentials");
    assert_eq!(me.account(), Some("210987654321"));
    let arn = me.arn().unwrap_or_default();
    assert!(arn.contains("assumed-role/cutover-read/cutover-ana"), "{arn}");
}

#[tokio::test]
async fn an_account_without_a_role_is_read_with_the_distributions_credentials() {
    let base = sdk_config(&moto(), REGION);
    let spec = AccountSpec { name: "same".into(), ..AccountSpec::default() };
    let account = AccountClients::connect(&base, &spec, "cutover-test").await;
    assert_eq!(account.region, REGION);
    let id = account.account_id().await.expect("GetCallerIdentity");
    assert_eq!(id.len(), 12, "{id}");
}
