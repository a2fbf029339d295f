//! Reading a config file: size and encoding guards, TOML parsing, then the checks of `within_file.rs`.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use super::error::{ConfigError, Problem};
use super::source::{Source, position_in};
use super::types::Config;
use super::within_file;
use super::within_file::MAX_FILE_BYTES;

/// Reads and checks the config file at `path`. Errors name the file as `path` is written.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let file = path.display().to_string();
    let read_error = |source: io::Error| match source.kind() {
        io::ErrorKind::NotFound => ConfigError::NotFound { file: file.clone() },
        _ => ConfigError::Read { file: file.clone(), source },
    };
    let handle = File::open(path).map_err(read_error)?;
    let metadata = handle.metadata().map_err(read_error)?;
    if metadata.is_dir() {
        return Err(read_error(io::Error::new(io::ErrorKind::IsADirectory, "it is a directory")));
    }
    if metadata.len() > MAX_FILE_BYTES {
        return Err(ConfigError::TooLarge { file, size: metadata.len() });
    }
    // The size can change between the check and the read, and pipes have none: read one byte past the
    // limit so that an oversized stream is noticed without reading all of it.
    let mut bytes = Vec::new();
    handle.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(read_error)?;
    parse_bytes(&bytes, &file)
}

/// Parses and checks config text. `file_name` is what error messages call the file.
pub fn parse(text: &str, file_name: &str) -> Result<Config, ConfigError> {
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(ConfigError::TooLarge { file: file_name.to_string(), size: text.len() as u64 });
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let source = Source::new(file_name, text);
    let mut config: Config = toml::from_str(text).map_err(|e| ConfigError::from_toml(&source, &e))?;
    config.source = source;
    within_file::check(&config)?;
    Ok(config)
}

/// [`parse`] for raw file contents, which may not be text at all.
pub(crate) fn parse_bytes(bytes: &[u8], file_name: &str) -> Result<Config, ConfigError> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(ConfigError::TooLarge { file: file_name.to_string(), size: bytes.len() as u64 });
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => parse(text, file_name),
        Err(e) => {
            let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
            Err(ConfigError::Invalid {
                file: file_name.to_string(),
                position: Some(position_in(valid, valid.len())),
                kind: Problem::Syntax,
                message: "the file is not UTF-8 text".to_string(),
                fix: "check that it is the cutover config and save it as UTF-8".to_string(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::EXAMPLE;
    use crate::config::testing::{error, with};

    #[test]
    fn a_minimal_config_gets_the_defaults() {
        let c = parse(&with(""), "c.toml").unwrap();
        assert_eq!(c.refresh_interval().as_secs(), 60);
        assert_eq!(c.latency_statistic(), "p99");
        assert_eq!(c.concurrency_limit(), 1000);
        assert!(!c.read_only);
        assert_eq!(c.region(), None);
        assert_eq!(c.file_name(), "c.toml");
        assert_eq!(c.thresholds_for("E1", "/anything"), crate::domain::Thresholds::default());
    }

    #[test]
    fn an_unknown_key_is_named_with_its_position() {
        let text = "refresh_seconds = 60\nlatency_statistic = \"p99\"\n\n[[distribution]]\nid = \"E1\"\nlambda_origins = [\"a\"]\nlambda_orgins = [\"b\"]\n";
        let e = error(text);
        assert!(e.contains("cutover.toml"), "{e}");
        assert!(e.contains("line 7, column 1"), "{e}");
        assert!(e.contains("`lambda_orgins`"), "{e}");
        assert!(e.contains("remove it or correct its spelling"), "{e}");
    }

    #[test]
    fn an_unknown_top_level_key_and_one_in_a_route_are_rejected() {
        assert!(error("refersh_seconds = 60\n").contains("line 1, column 1: unknown key `refersh_seconds`"));
        let e = error(&with("[[distribution.route]]\npath = \"/a\"\nlambda_fn = \"f\"\n"));
        assert!(e.contains("line 7, column 1") && e.contains("`lambda_fn`"), "{e}");
        let e = error(&with(
            "[[distribution.route]]\npath = \"/a\"\n[distribution.route.api_gateway]\nkind = \"http\"\napi_name = \"x\"\nstage = \"s\"\nresource = \"/a\"\nmethod = \"GET\"\n",
        ));
        assert!(e.contains("`api_name`") && e.contains("line 7, column 1") && e.contains("uses api_id"), "{e}");
    }

    #[test]
    fn a_wrong_type_says_what_was_expected() {
        let e = error(&format!("refresh_seconds = \"soon\"\n{}", with("")));
        assert_eq!(
            e,
            "config file cutover.toml, line 1, column 19: `refresh_seconds` has the wrong type: found string \
             \"soon\", expected a whole number of 0 or more; change it to a whole number of 0 or more"
        );
        let e = error(&format!("read_only = \"yes\"\n{}", with("")));
        assert!(e.contains("`read_only` has the wrong type") && e.contains("expected a boolean"), "{e}");
        let e = error(&with("[thresholds]\nperiods = -1\n"));
        assert!(e.contains("line 6, column 11") && e.contains("`periods`"), "{e}");
    }

    #[test]
    fn missing_and_misspelled_api_gateway_kinds_are_explained() {
        let base = "[[distribution.route]]\npath = \"/a\"\n[distribution.route.api_gateway]\n";
        let e = error(&with(&format!("{base}api_name = \"x\"\nstage = \"s\"\nresource = \"/a\"\nmethod = \"GET\"\n")));
        assert!(e.contains("lacks the key `kind`") && e.contains("kind = \"rest\""), "{e}");
        let e = error(&with(&format!("{base}kind = \"soap\"\n")));
        assert!(e.contains("unknown variant `soap`") && e.contains("line 8, column 8"), "{e}");
        let e = error(&with("[[distribution.route]]\nlambda_function = \"f\"\n"));
        assert!(e.contains("lacks the key `path`"), "{e}");
    }

    #[test]
    fn syntax_errors_have_a_position_and_a_fix() {
        let e = error("[distribution\n");
        assert!(e.contains("line 1, column 14") && e.contains("not valid TOML"), "{e}");
        let e = error("refresh_seconds = 60\nrefresh_seconds = 61\n");
        assert!(e.contains("line 2, column 1") && e.contains("`refresh_seconds` is set twice"), "{e}");
    }

    #[test]
    fn empty_truncated_and_binary_files_give_clear_errors() {
        let e = error("");
        assert!(e.contains("names no distribution") && e.contains("cutover init"), "{e}");
        let e = error("   \n# only a comment\n");
        assert!(e.contains("names no distribution"), "{e}");
        let cut = &EXAMPLE[..EXAMPLE.find("legacy_origins").unwrap() + 20];
        let e = error(cut);
        assert!(e.contains("line ") && e.contains("not valid TOML"), "{e}");
        let e = match parse_bytes(b"ok = 1\n\xff\xfe\x00junk", "bin.toml") {
            Ok(_) => panic!("binary parsed"),
            Err(e) => e.to_string(),
        };
        assert_eq!(
            e,
            "config file bin.toml, line 2, column 1: the file is not UTF-8 text; check that it is the cutover \
             config and save it as UTF-8"
        );
        let e = error("\u{0}\u{1}\u{2}garbage");
        assert!(e.contains("line 1, column 1"), "{e}");
    }

    #[test]
    fn a_byte_order_mark_is_ignored() {
        let c = parse(&format!("\u{feff}{}", with("")), "c.toml").unwrap();
        assert_eq!(c.distributions.len(), 1);
    }

    #[test]
    fn oversized_input_is_refused_before_parsing() {
        let big = "#".repeat(MAX_FILE_BYTES as usize + 1);
        let e = error(&big);
        assert!(e.contains("larger than 1 MiB"), "{e}");
        let deep = format!("a = {}", "[".repeat(100_000));
        let e = error(&deep);
        assert!(e.contains("nested too deeply"), "{e}");
    }

    #[test]
    fn ten_thousand_routes_are_refused() {
        let mut text = with("");
        for i in 0..10_000 {
            text.push_str(&format!("[[distribution.route]]\npath = \"/r{i}\"\n"));
        }
        assert!(text.len() < MAX_FILE_BYTES as usize);
        let e = error(&text);
        assert!(e.contains("10000 routes") && e.contains("more than the 1000"), "{e}");
        // Pointed at the first route over the limit.
        assert!(e.contains(&format!("line {}, column 8", 5 + 2 * 1000 + 1)), "{e}");
    }

    #[test]
    fn load_reads_files_and_reports_missing_ones() {
        let dir = std::env::temp_dir().join(format!("cutover-config-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("cutover.toml");
        std::fs::write(&path, with("")).unwrap();
        assert_eq!(load(&path).unwrap().distributions[0].id.get_ref(), "E1");

        let big = dir.join("big.toml");
        std::fs::write(&big, vec![b'#'; MAX_FILE_BYTES as usize + 10]).unwrap();
        let e = load(&big).unwrap_err();
        assert!(matches!(e, ConfigError::TooLarge { .. }) && e.exit_code() == 2, "{e}");

        let missing = dir.join("missing.toml");
        let e = load(&missing).unwrap_err();
        assert!(matches!(e, ConfigError::NotFound { .. }), "{e}");
        assert!(e.to_string().contains("missing.toml") && e.to_string().contains("cutover init"), "{e}");
        assert_eq!(e.exit_code(), 2);

        let e = load(&dir).unwrap_err();
        assert_eq!(e.exit_code(), 2, "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
