//! One CloudFront real-time log line, read by the field order of its real-time log configuration
//! (issue 22's first step: the reader, the numbers per second and the screen build on it).
//!
//! A line is tab-separated, one value per configured field, `-` for a value that is absent.
//! `timestamp` is seconds since the epoch with milliseconds (`1733500000.123`), `time-taken`
//! seconds with milliseconds. Lines come off a Kinesis stream: anything may arrive (a truncated
//! record, another writer's bytes, invalid UTF-8), so parsing never panics and says why a line
//! was not read, for the reader to count.

use std::fmt;

/// The fields cutover reads, by the names a real-time log configuration gives them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Timestamp,
    Status,
    TimeTaken,
    EdgeLocation,
    DetailedResultType,
    PathPattern,
}

impl Field {
    /// Every field cutover reads, in the order `install` configures them.
    pub const READ: [Field; 6] = [
        Field::Timestamp,
        Field::Status,
        Field::TimeTaken,
        Field::EdgeLocation,
        Field::DetailedResultType,
        Field::PathPattern,
    ];

    /// CloudFront's name for the field.
    pub fn name(self) -> &'static str {
        match self {
            Field::Timestamp => "timestamp",
            Field::Status => "sc-status",
            Field::TimeTaken => "time-taken",
            Field::EdgeLocation => "x-edge-location",
            Field::DetailedResultType => "x-edge-detailed-result-type",
            Field::PathPattern => "cache-behavior-path-pattern",
        }
    }

    fn of(name: &str) -> Option<Field> {
        Field::READ.into_iter().find(|f| f.name() == name)
    }
}

/// Where each field cutover reads sits in a configuration's lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    /// For each of [`Field::READ`], its column, when the configuration has it.
    columns: [Option<usize>; 6],
    /// For each column, the slot of the field cutover reads there: one lookup per value.
    slots: Vec<Option<usize>>,
    /// How many values a line of this configuration has.
    width: usize,
}

impl Layout {
    /// The layout of a configuration whose lines carry `names`, in that order. Fields cutover
    /// does not read are skipped over; a field named twice is read from its first column.
    pub fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> Layout {
        let mut columns = [None; 6];
        let mut width = 0;
        for (column, name) in names.into_iter().enumerate() {
            width = column + 1;
            if let Some(field) = Field::of(name.trim()) {
                let slot = &mut columns[slot_of(field)];
                slot.get_or_insert(column);
            }
        }
        let mut slots = vec![None; width];
        for (slot, column) in columns.iter().enumerate() {
            if let Some(column) = column {
                slots[*column] = Some(slot);
            }
        }
        Layout { columns, slots, width }
    }

    /// The fields cutover needs that this configuration lacks (none: every number can be made).
    pub fn missing(&self) -> Vec<Field> {
        Field::READ.into_iter().filter(|f| self.columns[slot_of(*f)].is_none()).collect()
    }

    /// Read one line. Its values are borrowed from `line`; a trailing newline is allowed.
    pub fn parse<'a>(&self, line: &'a [u8]) -> Result<EdgeLine<'a>, BadLine> {
        let line = line.strip_suffix(b"\n").unwrap_or(line);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            return Err(BadLine::Empty);
        }
        let mut values: [Option<&[u8]>; 6] = [None; 6];
        let mut count = 0;
        for (column, value) in line.split(|b| *b == b'\t').enumerate() {
            count = column + 1;
            if let Some(Some(slot)) = self.slots.get(column) {
                values[*slot] = Some(value).filter(|v| *v != b"-" && !v.is_empty());
            }
        }
        if count != self.width {
            return Err(BadLine::Columns { found: count, expected: self.width });
        }
        let value = |field: Field| values[slot_of(field)];
        let at_ms = match value(Field::Timestamp) {
            Some(v) => Some(millis(v).ok_or(BadLine::Value(Field::Timestamp))?),
            None => None,
        };
        let status = match value(Field::Status) {
            Some(v) => Some(status(v).ok_or(BadLine::Value(Field::Status))?),
            None => None,
        };
        let time_taken_ms = match value(Field::TimeTaken) {
            Some(v) => Some(millis(v).and_then(|ms| u32::try_from(ms).ok()).ok_or(BadLine::Value(Field::TimeTaken))?),
            None => None,
        };
        let text = |field: Field| -> Result<Option<&'a str>, BadLine> {
            value(field).map(|v| std::str::from_utf8(v).map_err(|_| BadLine::Value(field))).transpose()
        };
        Ok(EdgeLine {
            at_ms: at_ms.ok_or(BadLine::Missing(Field::Timestamp))?,
            status,
            time_taken_ms,
            edge_location: text(Field::EdgeLocation)?,
            detailed_result_type: text(Field::DetailedResultType)?,
            path_pattern: text(Field::PathPattern)?.ok_or(BadLine::Missing(Field::PathPattern))?,
        })
    }
}

fn slot_of(field: Field) -> usize {
    Field::READ.iter().position(|f| *f == field).expect("every field cutover reads has a slot")
}

/// One viewer request as the edge logged it. Only the time and the route are required: a line
/// without a status (a request the viewer gave up on) still counts as a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EdgeLine<'a> {
    /// When the edge answered, in milliseconds since the epoch.
    pub at_ms: i64,
    pub status: Option<u16>,
    pub time_taken_ms: Option<u32>,
    pub edge_location: Option<&'a str>,
    /// `Hit`, `Miss`, `Error`, `OriginConnectError`, `FunctionExecutionError`, …: kept as written;
    /// which of them CloudFront made itself is for the numbers to decide.
    pub detailed_result_type: Option<&'a str>,
    /// The cache behavior's path pattern: the route.
    pub path_pattern: &'a str,
}

/// Why a line was not read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BadLine {
    Empty,
    /// Not as many values as the configuration has fields: another configuration's line, or cut.
    Columns {
        found: usize,
        expected: usize,
    },
    /// A required field is `-`.
    Missing(Field),
    /// A value that does not read as its field's kind (a status that is no number, bytes that are
    /// not UTF-8 where text is expected).
    Value(Field),
}

impl fmt::Display for BadLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BadLine::Empty => write!(f, "an empty line"),
            BadLine::Columns { found, expected } => write!(f, "{found} values where the configuration has {expected}"),
            BadLine::Missing(field) => write!(f, "no {}", field.name()),
            BadLine::Value(field) => write!(f, "a {} that does not read", field.name()),
        }
    }
}

/// `1733500000.123` (or `0.002`, or `12`) as whole milliseconds: at most three decimals, digits
/// only, no sign, and no more than fits.
fn millis(v: &[u8]) -> Option<i64> {
    let (whole, fraction) = match v.iter().position(|b| *b == b'.') {
        Some(dot) => (&v[..dot], &v[dot + 1..]),
        None => (v, &[][..]),
    };
    if whole.is_empty() || whole.len() > 12 || fraction.len() > 3 {
        return None;
    }
    let digits =
        |part: &[u8]| part.iter().try_fold(0i64, |n, b| b.is_ascii_digit().then(|| n * 10 + i64::from(b - b'0')));
    let mut ms = digits(fraction)?;
    for _ in fraction.len()..3 {
        ms *= 10;
    }
    Some(digits(whole)? * 1000 + ms)
}

/// An HTTP status: three digits, 100–599.
fn status(v: &[u8]) -> Option<u16> {
    match v {
        [a @ b'1'..=b'5', b, c] if b.is_ascii_digit() && c.is_ascii_digit() => {
            Some(u16::from(a - b'0') * 100 + u16::from(b - b'0') * 10 + u16::from(c - b'0'))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout() -> Layout {
        Layout::new(Field::READ.map(Field::name))
    }

    #[test]
    fn a_line_reads_by_the_configurations_order() {
        let line = b"1733500000.123\t503\t0.002\tIAD89-P1\tFunctionExecutionError\t/orders/*\n";
        let read = layout().parse(line).unwrap();
        assert_eq!(read.at_ms, 1_733_500_000_123);
        assert_eq!((read.status, read.time_taken_ms), (Some(503), Some(2)));
        assert_eq!(read.edge_location, Some("IAD89-P1"));
        assert_eq!(read.detailed_result_type, Some("FunctionExecutionError"));
        assert_eq!(read.path_pattern, "/orders/*");
    }

    #[test]
    fn other_fields_are_skipped_and_a_dash_is_absent() {
        let names = ["c-ip", "timestamp", "cs-method", "cache-behavior-path-pattern", "sc-status", "time-taken"];
        let layout = Layout::new(names);
        assert_eq!(layout.missing(), [Field::EdgeLocation, Field::DetailedResultType]);
        let read = layout.parse(b"192.0.2.1\t1733500000\tGET\t*\t-\t1.5").unwrap();
        assert_eq!((read.at_ms, read.status, read.time_taken_ms), (1_733_500_000_000, None, Some(1500)));
        assert_eq!(read.path_pattern, "*");
    }

    #[test]
    fn bad_lines_say_why() {
        let l = layout();
        assert_eq!(l.parse(b""), Err(BadLine::Empty));
        assert_eq!(l.parse(b"1\t200\t0.1"), Err(BadLine::Columns { found: 3, expected: 6 }));
        assert_eq!(l.parse(b"-\t200\t0.1\tX\tHit\t/a"), Err(BadLine::Missing(Field::Timestamp)));
        assert_eq!(l.parse(b"1\t200\t0.1\tX\tHit\t-"), Err(BadLine::Missing(Field::PathPattern)));
        assert_eq!(l.parse(b"1\t2000\t0.1\tX\tHit\t/a"), Err(BadLine::Value(Field::Status)));
        assert_eq!(l.parse(b"1\t200\t-0.1\tX\tHit\t/a"), Err(BadLine::Value(Field::TimeTaken)));
        assert_eq!(l.parse(b"1.2345\t200\t0.1\tX\tHit\t/a"), Err(BadLine::Value(Field::Timestamp)));
        assert_eq!(l.parse(b"1\t200\t0.1\tX\tHit\t/\xff"), Err(BadLine::Value(Field::PathPattern)));
        assert_eq!(BadLine::Columns { found: 3, expected: 6 }.to_string(), "3 values where the configuration has 6");
    }
}
