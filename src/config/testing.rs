//! Helpers shared by the config module's tests.

use super::load::parse;

/// A minimal valid config (distribution `E1`, origins `apigw` and `elb`) with `extra` appended.
pub(crate) fn with(extra: &str) -> String {
    format!("[[distribution]]\nid = \"E1\"\nlambda_origins = [\"apigw\"]\nlegacy_origins = [\"elb\"]\n{extra}")
}

/// The message of the error that parsing `text` as `cutover.toml` must give, checked to exit with 2.
pub(crate) fn error(text: &str) -> String {
    match parse(text, "cutover.toml") {
        Ok(_) => panic!("parsed but should not have:\n{text}"),
        Err(e) => {
            assert_eq!(e.exit_code(), 2, "{e}");
            e.to_string()
        }
    }
}

/// `extra` (top-level tables such as `[team]`) before a minimal distribution `E1`, parsed; the
/// error's words when it does not parse.
pub(crate) fn parse_top(extra: &str) -> Result<super::Config, String> {
    let text = format!("{extra}\n[[distribution]]\nid = \"E1\"\nlambda_origins = [\"l\"]\nlegacy_origins = [\"o\"]\n");
    parse(&text, "c").map_err(|e| e.to_string())
}
