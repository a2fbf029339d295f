//! The router: the CloudFront Function that sends a share of a route's viewers to its Lambda origin
//! (`router.js`, embedded), and the KeyValueStore values it reads, which cutover writes.
//!
//! The store holds, in format 1 (the `v` field; the function leaves a request untouched on any
//! other):
//!
//! - `routes` (then `routes.2`, `routes.3`... through `next`): an [`IndexPage`], the routed
//!   behaviors' path patterns in the distribution's order. The function learns which route it
//!   serves by matching the URI against them (CloudFront tells it nothing about the behavior).
//! - `route:` + pattern: a [`RouteRecord`], the share for Lambda and the two origin ids.
//!
//! `tests/router/store-example.json` holds one store in this format: the Rust tests here write it
//! and read it back, the Node tests (`scripts/test-router`) run the function over it.

pub mod install;

use serde::{Deserialize, Deserializer, Serialize, Serializer, de};
use thiserror::Error;

/// The function's code, as published to CloudFront.
pub const ROUTER_JS: &str = include_str!("router.js");
/// CloudFront's limit on a function's code.
pub const FUNCTION_CODE_LIMIT: usize = 10 * 1024;
/// The value format the embedded function reads (`v`).
pub const FORMAT: u8 = 1;
/// The first index page's key.
pub const INDEX_KEY: &str = "routes";
/// A route record's key is this and the behavior's path pattern.
pub const ROUTE_KEY_PREFIX: &str = "route:";
/// The most index pages the function reads for one request.
pub const MAX_INDEX_PAGES: usize = 8;
/// The KeyValueStore's limit on a key (bytes; AWS says characters, the same for ASCII).
pub const KEY_LIMIT: usize = 512;
/// The KeyValueStore's limit on a value (likewise).
pub const VALUE_LIMIT: usize = 1024;
/// The record rules both readers follow (`record-rules.json`): the tests of each side check their
/// constants against it.
pub const RECORD_RULES: &str = include_str!("record-rules.json");
/// The longest origin id or sticky name a record may carry.
pub const NAME_LIMIT: usize = 128;

/// What cutover would write that the function could not read, or read that it did not write.
#[derive(Debug, Error)]
pub enum StoreFormatError {
    #[error("a Lambda share of {0} % is out of range: give a whole percent from 0 to 100")]
    ShareOutOfRange(u8),
    #[error("the route record has an empty {0} origin id: name an origin of the distribution")]
    EmptyOrigin(&'static str),
    #[error("the sticky viewer key {0:?} is not understood: use cookie:NAME or header:NAME")]
    BadSticky(String),
    #[error("{what} is {len} bytes, over the KeyValueStore's {limit}: shorten it")]
    TooLong { what: String, len: usize, limit: usize },
    #[error("{0} routed path patterns need more than {MAX_INDEX_PAGES} index pages: route fewer behaviors")]
    TooManyRoutes(usize),
    #[error("a store value is not in router format {FORMAT} ({0}): it was written by hand or by another cutover")]
    Decode(#[source] serde_json::Error),
    #[error(
        "the {0} origin id is not 1 to {NAME_LIMIT} printable ASCII characters: name the origin as the distribution does"
    )]
    BadOrigin(&'static str),
    #[error(
        "a store value is not written as cutover writes it (extra spaces, keys or nulls, a repeated key, or a number like 100.0): the router acts only on values in that one form"
    )]
    NotCanonical,
}

/// The format number as a field: writes [`FORMAT`], reads only [`FORMAT`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Format;

impl Serialize for Format {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u8(FORMAT)
    }
}

impl<'de> Deserialize<'de> for Format {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let found = u64::deserialize(deserializer)?;
        if found == u64::from(FORMAT) {
            Ok(Format)
        } else {
            Err(de::Error::custom(format!("format {found}, this cutover knows format {FORMAT}")))
        }
    }
}

/// What identifies a viewer, so that the same viewer keeps landing on the same side. Without one
/// (or when a request lacks it) the function uses the viewer's IP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Sticky {
    /// `cookie:NAME`: a cookie's value (the name is case-sensitive, as cookies are).
    Cookie(String),
    /// `header:NAME`: a request header's value (CloudFront gives functions lowercase names).
    Header(String),
}

impl Sticky {
    pub fn cookie(name: &str) -> Self {
        Sticky::Cookie(name.to_string())
    }

    pub fn header(name: &str) -> Self {
        Sticky::Header(name.to_ascii_lowercase())
    }
}

impl TryFrom<String> for Sticky {
    type Error = StoreFormatError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        let sticky_name = |name: &str| {
            name.len() <= NAME_LIMIT && !name.is_empty() && name.bytes().all(|b| (0x21..=0x7e).contains(&b))
        };
        match text.split_once(':') {
            Some(("cookie", name)) if sticky_name(name) => Ok(Sticky::Cookie(name.to_string())),
            Some(("header", name)) if sticky_name(name) => Ok(Sticky::Header(name.to_string())),
            _ => Err(StoreFormatError::BadSticky(text)),
        }
    }
}

impl From<Sticky> for String {
    fn from(sticky: Sticky) -> String {
        match sticky {
            Sticky::Cookie(name) => format!("cookie:{name}"),
            Sticky::Header(name) => format!("header:{name}"),
        }
    }
}

/// One route's record: `share` % of its viewers go to origin `lambda`, the rest stay on the
/// behavior's own `TargetOriginId`, which `home` names (the function never selects it: leaving the
/// request alone is the safer way to get there).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteRecord {
    #[serde(rename = "v")]
    format: Format,
    pub share: u8,
    pub lambda: String,
    pub home: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sticky: Option<Sticky>,
}

impl RouteRecord {
    pub fn new(share: u8, lambda: &str, home: &str, sticky: Option<Sticky>) -> Result<Self, StoreFormatError> {
        let record = RouteRecord { format: Format, share, lambda: lambda.to_string(), home: home.to_string(), sticky };
        record.check()?;
        Ok(record)
    }

    /// The store key of the route whose behavior has this path pattern.
    pub fn key(pattern: &str) -> Result<String, StoreFormatError> {
        let key = format!("{ROUTE_KEY_PREFIX}{pattern}");
        within(format!("the key for path pattern {pattern:?}"), key.len(), KEY_LIMIT)?;
        Ok(key)
    }

    /// The value to store: refused when the function would not act on it.
    pub fn encode(&self) -> Result<String, StoreFormatError> {
        self.check()?;
        let value = serde_json::to_string(self).expect("strings and numbers always serialize");
        within("a route record".to_string(), value.len(), VALUE_LIMIT)?;
        Ok(value)
    }

    /// A stored value, held to the same rules as the function holds it to (`record-rules.json`):
    /// the fields must check, and the value must be exactly what they encode to. That one form
    /// settles what JSON leaves open (a repeated key, `100.0`, `1e2`, `"sticky":null`, unknown
    /// keys), where serde and `JSON.parse` would each decide differently.
    pub fn decode(value: &str) -> Result<Self, StoreFormatError> {
        let record: RouteRecord = serde_json::from_str(value).map_err(StoreFormatError::Decode)?;
        record.check()?;
        if serde_json::to_string(&record).ok().as_deref() != Some(value) {
            return Err(StoreFormatError::NotCanonical);
        }
        Ok(record)
    }

    fn check(&self) -> Result<(), StoreFormatError> {
        if self.share > 100 {
            return Err(StoreFormatError::ShareOutOfRange(self.share));
        }
        for (which, id) in [("Lambda", &self.lambda), ("home", &self.home)] {
            if id.is_empty() {
                return Err(StoreFormatError::EmptyOrigin(which));
            }
            if id.len() > NAME_LIMIT || !id.bytes().all(|b| (0x20..=0x7e).contains(&b)) {
                return Err(StoreFormatError::BadOrigin(which));
            }
        }
        Ok(())
    }
}

/// One page of the index: routed path patterns in the distribution's order, and the next page's
/// key when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexPage {
    #[serde(rename = "v")]
    format: Format,
    pub routes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

impl IndexPage {
    pub fn new(routes: Vec<String>, next: Option<String>) -> Self {
        IndexPage { format: Format, routes, next }
    }

    /// A stored page, in the one form the function reads (see [`RouteRecord::decode`]).
    pub fn decode(value: &str) -> Result<Self, StoreFormatError> {
        let page: IndexPage = serde_json::from_str(value).map_err(StoreFormatError::Decode)?;
        if page.encode() != value || page.next.as_deref() == Some("") {
            return Err(StoreFormatError::NotCanonical);
        }
        Ok(page)
    }

    fn encode(&self) -> String {
        serde_json::to_string(self).expect("strings and a number always serialize")
    }
}

/// The key of index page `n` (1-based): `routes`, `routes.2`, `routes.3`...
pub fn index_key(n: usize) -> String {
    if n <= 1 { INDEX_KEY.to_string() } else { format!("{INDEX_KEY}.{n}") }
}

/// The index as (key, value) pairs to store, for the routed behaviors' path patterns in the
/// distribution's order (the default behavior's `*` last, as CloudFront tries it last). Each page
/// is filled as far as a value's 1 KB allows; there is always a first page, empty if nothing is
/// routed, so the function finds an index rather than a missing key.
pub fn index_entries(patterns: &[String]) -> Result<Vec<(String, String)>, StoreFormatError> {
    let mut pages: Vec<Vec<String>> = vec![Vec::new()];
    for pattern in patterns {
        let page = pages.last_mut().expect("there is always a page");
        page.push(pattern.clone());
        // Measured with a `next` link, in case another page follows.
        let with_link = IndexPage::new(page.clone(), Some(index_key(MAX_INDEX_PAGES))).encode();
        if with_link.len() > VALUE_LIMIT {
            let moved = page.pop().expect("just pushed");
            if page.is_empty() {
                return Err(StoreFormatError::TooLong {
                    what: format!("path pattern {moved:?} in the index"),
                    len: with_link.len(),
                    limit: VALUE_LIMIT,
                });
            }
            pages.push(vec![moved]);
        }
    }
    if pages.len() > MAX_INDEX_PAGES {
        return Err(StoreFormatError::TooManyRoutes(patterns.len()));
    }
    let count = pages.len();
    Ok(pages
        .into_iter()
        .enumerate()
        .map(|(i, routes)| {
            let next = (i + 1 < count).then(|| index_key(i + 2));
            (index_key(i + 1), IndexPage::new(routes, next).encode())
        })
        .collect())
}

/// The index as the function reads it (`findRoute` in router.js): the path patterns it can find,
/// in order, following `next` from page to page.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IndexRead {
    /// The patterns the function would try, in its order.
    pub listed: Vec<String>,
    /// What stopped the reading early, in words (a missing page, a page the function would not
    /// read), when something did.
    pub note: Option<String>,
    /// False when Rust cannot tell what the function makes of a page (a value that is not JSON to
    /// serde): patterns not in `listed` may then still be found by it.
    pub complete: bool,
}

impl IndexRead {
    /// Whether the function finds `pattern` in the index: `Some(true)` listed, `Some(false)` not,
    /// `None` when the index could not be read far enough to tell.
    pub fn lists(&self, pattern: &str) -> Option<bool> {
        if self.listed.iter().any(|p| p == pattern) {
            Some(true)
        } else if self.complete {
            Some(false)
        } else {
            None
        }
    }
}

/// Read the index from the store's values (`get` a key's value, `None` when the key is missing)
/// exactly as router.js's `findRoute` walks it: page by page from `routes` through `next`, at most
/// [`MAX_INDEX_PAGES`], stopping where the function would stop: a missing key, or a page that is
/// not in the one form both readers take ([`IndexPage::decode`]: format 1, strings only, exactly
/// as cutover writes it). A value that is not JSON at all leaves the rest unknown.
pub fn read_index<'a>(get: impl Fn(&str) -> Option<&'a str>) -> IndexRead {
    let mut read = IndexRead { complete: true, ..IndexRead::default() };
    let mut key = INDEX_KEY.to_string();
    for _ in 0..MAX_INDEX_PAGES {
        let Some(text) = get(&key) else {
            read.note = Some(if key == INDEX_KEY {
                format!("the store has no `{INDEX_KEY}` index")
            } else {
                format!("index page `{key}` is missing")
            });
            return read;
        };
        if let Err(error) = serde_json::from_str::<serde_json::Value>(text) {
            read.note = Some(format!("index page `{key}` is not JSON cutover reads ({error})"));
            read.complete = false;
            return read;
        }
        // The one form both readers take (IndexPage::decode here, the same check in findRoute):
        // any other page stops the function, so nothing on or after it is routed.
        let page = match IndexPage::decode(text) {
            Ok(page) => page,
            Err(error) => {
                read.note =
                    Some(format!("index page `{key}` is not an index page of router format {FORMAT} ({error})"));
                return read;
            }
        };
        read.listed.extend(page.routes);
        match page.next {
            Some(next) => key = next,
            None => return read,
        }
    }
    read.note = Some(format!("the index goes on past {MAX_INDEX_PAGES} pages, where the function stops reading"));
    read
}

#[cfg(test)]
mod index_read_tests {
    use std::collections::HashMap;

    use super::*;

    fn read(pairs: &[(&str, &str)]) -> IndexRead {
        let store: HashMap<&str, &str> = pairs.iter().copied().collect();
        read_index(|key| store.get(key).copied())
    }

    #[test]
    fn the_index_is_read_through_its_pages_as_the_function_reads_it() {
        let patterns: Vec<String> = (0..40).map(|i| format!("/api/v1/a-rather-long-resource-name-{i:02}/*")).collect();
        let entries = index_entries(&patterns).unwrap();
        let pairs: Vec<(&str, &str)> = entries.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let read = read(&pairs);
        assert_eq!((read.listed, read.note, read.complete), (patterns, None, true));
    }

    #[test]
    fn where_the_function_stops_reading_the_index_so_does_cutover() {
        let none = read(&[]);
        assert_eq!((none.listed.len(), none.complete, none.lists("/a")), (0, true, Some(false)));
        assert!(none.note.unwrap().contains("no `routes` index"));
        // Only the one form cutover writes: not 1.0 for 1, not a repeated key (router.js refuses
        // them too, tests/router/router.test.mjs).
        let loose = read(&[("routes", r#"{"v":1.0,"routes":["/x"],"routes":["/a","/b"]}"#)]);
        assert_eq!((loose.listed.len(), loose.lists("/a")), (0, Some(false)));
        let missing_page = read(&[("routes", r#"{"v":1,"routes":["/a"],"next":"routes.2"}"#)]);
        assert_eq!((missing_page.listed, missing_page.complete), (vec!["/a".to_string()], true));
        // A page with anything but path patterns is refused whole, by the function too.
        let non_string = read(&[("routes", r#"{"v":1,"routes":["/a",5,"/b"]}"#)]);
        assert_eq!(non_string.listed.len(), 0);
        assert_eq!(read(&[("routes", r#"{"v":2,"routes":["/a"]}"#)]).listed.len(), 0);
        let looping = read(&[("routes", r#"{"v":1,"routes":["/a"],"next":"routes"}"#)]);
        assert_eq!(looping.listed.len(), MAX_INDEX_PAGES);
        let garbled = read(&[("routes", r#"{"v":1,"routes":["/a"],"next":"routes.2"}"#), ("routes.2", "{not json")]);
        assert_eq!((garbled.lists("/a"), garbled.lists("/b")), (Some(true), None), "past an unreadable page, unknown");
    }
}

/// The viewer's bucket, 0 to 99, exactly as `router.js` computes it: FNV-1a (32 bits) of the
/// key's UTF-16 code units, modulo 100. A share of N sends the viewers of buckets 0 to N-1 to
/// Lambda, so the same viewer (the same IP, cookie or header value) stays on its side.
pub fn bucket(key: &str) -> u8 {
    let hash = key.encode_utf16().fold(0x811c_9dc5_u32, |h, unit| (h ^ u32::from(unit)).wrapping_mul(16_777_619));
    (hash % 100) as u8
}

fn within(what: String, len: usize, limit: usize) -> Result<(), StoreFormatError> {
    if len > limit { Err(StoreFormatError::TooLong { what, len, limit }) } else { Ok(()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example store both test suites use (tests/router/store-example.json).
    fn example() -> serde_json::Value {
        let text = include_str!("../../tests/router/store-example.json");
        serde_json::from_str(text).expect("the example store is JSON")
    }

    fn stored(key: &str) -> String {
        example()["store"][key].as_str().unwrap_or_else(|| panic!("the example store has no {key}")).to_string()
    }

    #[test]
    fn the_function_fits_cloudfronts_code_limit_with_room_to_spare() {
        let room = FUNCTION_CODE_LIMIT - ROUTER_JS.len().min(FUNCTION_CODE_LIMIT);
        println!("router.js: {} bytes, {room} bytes left under {FUNCTION_CODE_LIMIT}", ROUTER_JS.len());
        assert!(ROUTER_JS.len() < FUNCTION_CODE_LIMIT, "router.js is {} bytes", ROUTER_JS.len());
        // A margin, so that the next comment does not surprise anyone at publish time.
        assert!(room >= 1024, "only {room} bytes left under CloudFront's 10 KB: trim router.js");
    }

    #[test]
    fn the_function_opens_with_the_cloudfront_import_and_names_the_same_keys() {
        assert!(ROUTER_JS.starts_with("import cf from 'cloudfront';\n"), "AWS wants the import on the first line");
        for line in [
            format!("const FORMAT = {FORMAT};"),
            format!("const INDEX_KEY = '{INDEX_KEY}';"),
            format!("const ROUTE_PREFIX = '{ROUTE_KEY_PREFIX}';"),
            format!("const MAX_INDEX_PAGES = {MAX_INDEX_PAGES};"),
        ] {
            assert!(ROUTER_JS.contains(&line), "router.js lacks `{line}`");
        }
    }

    #[test]
    fn rust_writes_the_example_store_exactly_as_the_node_tests_read_it() {
        let users = RouteRecord::new(25, "users-fn", "monolith", Some(Sticky::cookie("session"))).unwrap();
        let orders = RouteRecord::new(100, "orders-fn", "monolith", None).unwrap();
        let search = RouteRecord::new(10, "search-fn", "monolith", Some(Sticky::header("X-Viewer-Id"))).unwrap();
        let patterns = ["/api/users/*", "api/orders*", "/search?"].map(String::from);

        let index = index_entries(&patterns).unwrap();
        assert_eq!(index, vec![(INDEX_KEY.to_string(), stored(INDEX_KEY))]);
        for (pattern, record) in patterns.iter().zip([&users, &orders, &search]) {
            let key = RouteRecord::key(pattern).unwrap();
            assert_eq!(record.encode().unwrap(), stored(&key), "{key}");
            assert_eq!(&RouteRecord::decode(&stored(&key)).unwrap(), record, "{key}");
        }
        let page = IndexPage::decode(&stored(INDEX_KEY)).unwrap();
        assert_eq!((page.routes, page.next), (patterns.to_vec(), None));
        assert_eq!(example()["store"].as_object().unwrap().len(), 4, "the example holds the index and three routes");
    }

    #[test]
    fn values_the_function_refuses_are_refused_here_too() {
        let ok = r#"{"v":1,"share":5,"lambda":"fn","home":"mono"}"#;
        assert_eq!(RouteRecord::decode(ok).unwrap().share, 5);
        for bad in [
            r#"{"v":2,"share":5,"lambda":"fn","home":"mono"}"#,
            r#"{"v":"1","share":5,"lambda":"fn","home":"mono"}"#,
            r#"{"share":5,"lambda":"fn","home":"mono"}"#,
            r#"{"v":1,"share":101,"lambda":"fn","home":"mono"}"#,
            r#"{"v":1,"share":-1,"lambda":"fn","home":"mono"}"#,
            r#"{"v":1,"share":2.5,"lambda":"fn","home":"mono"}"#,
            r#"{"v":1,"share":"5","lambda":"fn","home":"mono"}"#,
            r#"{"v":1,"share":5,"lambda":"","home":"mono"}"#,
            r#"{"v":1,"share":5,"lambda":"fn"}"#,
            r#"{"v":1,"share":5,"lambda":"fn","home":"mono","sticky":"cookie:"}"#,
            r#"{"v":1,"share":5,"lambda":"fn","home":"mono","sticky":"query:id"}"#,
            r#"{"v":1,"share":5,"lambda":"fn""#,
        ] {
            assert!(RouteRecord::decode(bad).is_err(), "accepted {bad}");
        }
        assert!(matches!(RouteRecord::new(101, "fn", "mono", None), Err(StoreFormatError::ShareOutOfRange(101))));
        assert!(IndexPage::decode(r#"{"v":2,"routes":[]}"#).is_err());
    }

    /// The shared corpus (tests/router/record-corpus.json): Rust's verdict on every value is the
    /// one the corpus gives, which router.js's parseRecord must give too (record-corpus.test.mjs).
    #[test]
    fn decode_gives_the_shared_corpus_verdict_for_every_value() {
        let corpus: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/router/record-corpus.json")).unwrap();
        let values = corpus["values"].as_array().unwrap();
        assert!(values.len() >= 60, "{} values", values.len());
        let mut wrong = Vec::new();
        for case in values {
            let value = case["value"].as_str().unwrap();
            let expected = case["share"].as_u64().map(|s| s as u8);
            let got = RouteRecord::decode(value).ok().map(|r| r.share);
            if got != expected {
                wrong.push(format!("{}: expected {expected:?}, got {got:?}", case["why"]));
            }
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
    }

    #[test]
    fn the_rules_here_are_record_rules_json() {
        let rules: serde_json::Value = serde_json::from_str(RECORD_RULES).unwrap();
        assert_eq!(rules["format"], u64::from(FORMAT));
        assert_eq!((rules["share_min"].as_u64(), rules["share_max"].as_u64()), (Some(0), Some(100)));
        assert_eq!(rules["origin_id_pattern"], format!("^[\\x20-\\x7e]{{1,{NAME_LIMIT}}}$"));
        assert_eq!(rules["sticky_pattern"], format!("^(cookie|header):[\\x21-\\x7e]{{1,{NAME_LIMIT}}}$"));
        // The canonical form's field order is the struct's.
        let written = RouteRecord::new(5, "a", "b", Some(Sticky::cookie("s"))).unwrap().encode().unwrap();
        let order: Vec<String> =
            rules["fields"].as_array().unwrap().iter().map(|f| format!("\"{}\":", f.as_str().unwrap())).collect();
        let positions: Vec<usize> = order.iter().map(|f| written.find(f.as_str()).unwrap()).collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{written}");
    }

    #[test]
    fn a_long_index_is_paged_in_order_and_every_page_fits_a_value() {
        let patterns: Vec<String> =
            (0..40).map(|i| format!("/api/v1/some-rather-long-resource-name-{i:02}/*")).collect();
        let entries = index_entries(&patterns).unwrap();
        assert!(entries.len() > 1, "forty long patterns need more than one page");
        let mut read_back = Vec::new();
        for (n, (key, value)) in entries.iter().enumerate() {
            assert_eq!(key, &index_key(n + 1));
            assert!(value.len() <= VALUE_LIMIT, "{key} is {} bytes", value.len());
            let page = IndexPage::decode(value).unwrap();
            let expected_next = (n + 1 < entries.len()).then(|| index_key(n + 2));
            assert_eq!(page.next, expected_next);
            read_back.extend(page.routes);
        }
        assert_eq!(read_back, patterns);
    }

    #[test]
    fn an_index_the_function_could_not_read_to_the_end_is_refused() {
        let patterns: Vec<String> = (0..200).map(|i| format!("/{}{i:03}/*", "x".repeat(100))).collect();
        assert!(matches!(index_entries(&patterns), Err(StoreFormatError::TooManyRoutes(200))));
        let huge = vec!["/".repeat(2000)];
        assert!(matches!(index_entries(&huge), Err(StoreFormatError::TooLong { .. })));
        assert_eq!(index_entries(&[]).unwrap(), vec![(INDEX_KEY.to_string(), r#"{"v":1,"routes":[]}"#.to_string())]);
    }

    #[test]
    fn buckets_are_the_functions_own() {
        // The vectors of tests/router/router.test.mjs.
        assert_eq!(bucket(""), (0x811c_9dc5_u32 % 100) as u8);
        assert_eq!(bucket("a"), (0xe40c_292c_u32 % 100) as u8);
        assert_eq!(bucket("foobar"), (0xbf9c_f968_u32 % 100) as u8);
        assert_eq!([bucket("ivan"), bucket("198.51.100.7"), bucket("203.0.113.9")], [21, 65, 2]);
    }

    #[test]
    fn keys_over_the_stores_limit_are_refused() {
        assert_eq!(RouteRecord::key("/api/*").unwrap(), "route:/api/*");
        assert!(RouteRecord::key(&"a".repeat(KEY_LIMIT)).is_err());
    }
}
