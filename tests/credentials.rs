//! Configuration and credential problems named as such, by the real binary, with no network: no
//! region is a configuration problem (exit 2, with the fix), missing or expired credentials say so
//! and what to do (`aws sso login`, `--profile`), never "network error", and a named profile the
//! profile files do not define is refused before anything is called (exit 2).

mod support;

use std::path::{Path, PathBuf};

use support::binary::{code, run_cutover_bare, stderr};
use support::pty::TempDir;

/// A config for distribution `E2CREDS` with no `region`.
fn config(home: &Path, extra: &str) -> PathBuf {
    let path = home.join("cutover.toml");
    let text = format!(
        "[[distribution]]\nid = \"E2CREDS\"\nlambda_origins = [\"apigw\"]\nlegacy_origins = [\"legacy\"]\n{extra}"
    );
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn no_region_anywhere_is_a_configuration_problem_exit_2_with_the_fix() {
    let home = TempDir::new("cutover-no-region");
    let config = config(home.path(), "");
    for command in [&["status"][..], &["rollback-all", "--yes"], &["router", "status"]] {
        let out = run_cutover_bare(
            home.path(),
            &config,
            command,
            &[("AWS_ACCESS_KEY_ID", "a"), ("AWS_SECRET_ACCESS_KEY", "b")],
        );
        assert_eq!(code(&out), 2, "{command:?}: {}", stderr(&out));
        let said = stderr(&out);
        assert!(said.contains("no AWS region is set"), "{said}");
        assert!(said.contains("--region") && said.contains("AWS_REGION") && said.contains("region = "), "{said}");
    }
}

#[test]
fn missing_credentials_are_named_as_such_with_what_to_do_never_a_network_error() {
    let home = TempDir::new("cutover-no-credentials");
    let config = config(home.path(), "");
    let out = run_cutover_bare(home.path(), &config, &["status"], &[("AWS_REGION", "eu-west-1")]);
    let said = stderr(&out);
    assert_eq!(code(&out), 1, "{said}");
    assert!(said.contains("GetDistribution was not sent: no AWS credentials were found"), "{said}");
    assert!(said.contains("aws sso login") && said.contains("--profile"), "{said}");
    assert!(!said.contains("network error") && !said.contains("IMDS"), "{said}");
}

#[test]
fn expired_sso_credentials_are_named_as_such_with_what_to_do() {
    let home = TempDir::new("cutover-expired");
    let config = config(home.path(), "");
    let aws = home.path().join(".aws");
    std::fs::create_dir_all(aws.join("sso/cache")).unwrap();
    std::fs::write(
        aws.join("config"),
        "[profile oncall]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = ReadOnly\n\
         region = eu-west-1\n\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n",
    )
    .unwrap();
    // The SDK's cache file for SSO session `corp` (the SHA-1 of its name): a token that expired in
    // 2020 and cannot be refreshed (no refresh token), as `aws sso login` left it long ago.
    std::fs::write(
        aws.join("sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json"),
        r#"{"accessToken": "old", "expiresAt": "2020-01-01T00:00:00Z", "region": "eu-west-1", "startUrl": "https://corp.awsapps.com/start"}"#,
    )
    .unwrap();
    // Keys in the environment do not stand in for the named profile.
    let env = [("AWS_ACCESS_KEY_ID", "AKIAENVIRONMENT"), ("AWS_SECRET_ACCESS_KEY", "b")];
    let out = run_cutover_bare(home.path(), &config, &["--profile", "oncall", "status"], &env);
    let said = stderr(&out);
    assert_eq!(code(&out), 1, "{said}");
    assert!(said.contains("GetDistribution was not sent: the AWS credentials have expired"), "{said}");
    assert!(said.contains("SSO token has expired") && said.contains("aws sso login"), "{said}");
    assert!(!said.contains("network error"), "{said}");
}

#[test]
fn a_named_profile_the_files_do_not_define_is_refused_at_start_exit_2() {
    let home = TempDir::new("cutover-no-profile");
    let env = [("AWS_REGION", "eu-west-1"), ("AWS_ACCESS_KEY_ID", "a"), ("AWS_SECRET_ACCESS_KEY", "b")];
    let plain = config(home.path(), "");
    let out = run_cutover_bare(home.path(), &plain, &["--profile", "prod", "status"], &env);
    let said = stderr(&out);
    assert_eq!(code(&out), 2, "{said}");
    assert!(said.contains("profile prod not found in ") && said.contains(".aws/config or "), "{said}");
    assert!(said.contains("aws configure --profile prod") && said.contains("--profile"), "{said}");

    let account = config(
        home.path(),
        "\n[distribution.lambda_accounts.payments]\nprofile = \"payments\"\nlambda_origins = [\"apigw\"]\n",
    );
    for command in [&["status"][..], &["status", "--json"], &["rollback-all", "--yes"]] {
        let out = run_cutover_bare(home.path(), &account, command, &env);
        let said = stderr(&out);
        assert_eq!(code(&out), 2, "{command:?}: {said}");
        assert!(said.contains("profile payments not found in "), "{said}");
        assert!(
            said.contains("[distribution.lambda_accounts.payments] of ") && said.contains("cutover.toml"),
            "{said}"
        );
        assert!(!said.contains("network"), "{said}");
    }
}

#[test]
fn an_aws_profile_variable_naming_no_profile_is_refused_at_start_exit_2() {
    let home = TempDir::new("cutover-env-profile");
    let config = config(home.path(), "");
    // Keys in the environment would otherwise be used, and the profile's absence said call by call.
    let env = [
        ("AWS_REGION", "eu-west-1"),
        ("AWS_PROFILE", "prod"),
        ("AWS_ACCESS_KEY_ID", "a"),
        ("AWS_SECRET_ACCESS_KEY", "b"),
    ];
    let out = run_cutover_bare(home.path(), &config, &["status"], &env);
    let said = stderr(&out);
    assert_eq!(code(&out), 2, "{said}");
    assert!(said.contains("profile prod not found in ") && said.contains("AWS_PROFILE"), "{said}");
}

#[test]
fn a_region_from_the_command_line_or_the_environment_that_is_no_region_name_is_refused_exit_2() {
    let home = TempDir::new("cutover-bad-region");
    let config = config(home.path(), "");
    let keys = [("AWS_ACCESS_KEY_ID", "a"), ("AWS_SECRET_ACCESS_KEY", "b")];
    let out = run_cutover_bare(home.path(), &config, &["--region", "us east 1", "status"], &keys);
    let said = stderr(&out);
    assert_eq!(code(&out), 2, "{said}");
    assert!(said.contains(r#"region "us east 1" (from --region) is not an AWS region name"#), "{said}");
    // An escape in AWS_REGION reaches neither a host name nor the terminal raw.
    let env = [keys[0], keys[1], ("AWS_REGION", "eu-west-1\u{1b}[2J")];
    let out = run_cutover_bare(home.path(), &config, &["rollback-all", "--yes"], &env);
    let said = stderr(&out);
    assert_eq!(code(&out), 2, "{said}");
    assert!(said.contains("(from the environment (AWS_REGION) or the AWS profile)"), "{said}");
    assert!(!said.contains('\u{1b}'), "{said:?}");
}
