//! Property tests of the real-time log line parser (`domain::edge_log`): whatever bytes come off
//! the stream — garbage, cut lines, `-`, a megabyte line, invalid UTF-8 — it never panics and either
//! reads a line or says why not; and a line CloudFront would write reads back as written.

use cutover::domain::edge_log::{BadLine, Field, Layout};
use proptest::prelude::*;

fn layout() -> Layout {
    Layout::new(Field::READ.map(Field::name))
}

/// A value CloudFront could write in a column: absent, or a plausible one.
fn value() -> impl Strategy<Value = Option<String>> {
    prop_oneof![Just(None), "[A-Za-z0-9/*._-]{1,40}".prop_map(Some)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_bytes_are_read_or_refused_with_a_reason(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        match layout().parse(&bytes) {
            Ok(line) => prop_assert!(!line.path_pattern.is_empty()),
            Err(why) => prop_assert!(!why.to_string().is_empty()),
        }
    }

    #[test]
    fn lines_of_the_right_shape_with_garbled_values_never_panic(values in proptest::collection::vec(value(), 6)) {
        let line = values.iter().map(|v| v.as_deref().unwrap_or("-")).collect::<Vec<_>>().join("\t");
        let _ = layout().parse(line.as_bytes());
    }

    #[test]
    fn a_line_cloudfront_writes_reads_back_as_written(
        seconds in 1_000_000_000i64..4_000_000_000,
        ms in 0i64..1000,
        status in 100u16..600,
        taken_ms in 0u32..600_000,
        edge in proptest::option::of("[A-Z]{3}[0-9]{1,2}-[A-Z0-9]{2,3}"),
        result in proptest::option::of("[A-Za-z]{3,30}"),
        route in "/[a-z0-9/]{0,30}\\*?",
    ) {
        let line = format!(
            "{seconds}.{ms:03}\t{status}\t{}.{:03}\t{}\t{}\t{route}\n",
            taken_ms / 1000,
            taken_ms % 1000,
            edge.as_deref().unwrap_or("-"),
            result.as_deref().unwrap_or("-"),
        );
        let read = layout().parse(line.as_bytes()).unwrap();
        prop_assert_eq!(read.at_ms, seconds * 1000 + ms);
        prop_assert_eq!(read.status, Some(status));
        prop_assert_eq!(read.time_taken_ms, Some(taken_ms));
        prop_assert_eq!(read.edge_location, edge.as_deref());
        prop_assert_eq!(read.detailed_result_type, result.as_deref());
        prop_assert_eq!(read.path_pattern, route.as_str());
    }
}

#[test]
fn a_megabyte_line_and_invalid_utf8_are_refused_not_panicked_on() {
    let mut huge = b"1733500000.123\t200\t0.010\tIAD89-P1\tHit\t/".to_vec();
    huge.extend(std::iter::repeat_n(b'a', 1 << 20));
    assert!(layout().parse(&huge).is_ok(), "a long route is still a route");
    let tabs = vec![b'\t'; 1 << 20];
    assert_eq!(layout().parse(&tabs), Err(BadLine::Columns { found: (1 << 20) + 1, expected: 6 }));
    let invalid = b"1733500000.123\t200\t0.010\t\xc3\x28\tHit\t/a";
    assert_eq!(layout().parse(invalid), Err(BadLine::Value(Field::EdgeLocation)));
}
