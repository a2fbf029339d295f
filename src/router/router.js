import cf from 'cloudfront';

// cutover's router: a CloudFront Function (cloudfront-js-2.0, viewer-request) that sends a share of
// a route's viewers to the route's Lambda origin, sticky per viewer, moved in seconds by writing
// its KeyValueStore.
//
// It fails open: a missing key, a value it does not understand, a store error, an origin CloudFront
// refuses, any exception, and the request goes on untouched to the behavior's own TargetOriginId.
// The router must never be the reason a viewer gets a 5xx.
//
// The store (format 1; written by cutover, see src/router/mod.rs and docs/src/guide/router.md):
//   "routes"           {"v":1,"routes":["/api/users/*","/api/orders*"],"next":"routes.2"}
//                      the routed behaviors' path patterns, in the distribution's order; "next"
//                      (optional) names the next page when one 1 KB value cannot hold them all.
//   "route:" + pattern {"v":1,"share":25,"lambda":"users-fn","home":"monolith","sticky":"cookie:sid"}
//                      share: whole percent of viewers sent to origin id `lambda`; `home` is the
//                      behavior's TargetOriginId, for people and status checks (the function
//                      leaves the rest alone rather than naming it); sticky (optional):
//                      "cookie:NAME" or "header:NAME", what identifies a viewer; else the IP.
//
// Which route: CloudFront does not tell a function which behavior invoked it. The function is
// associated only with routed behaviors, so the first routed pattern that matches the URI, taken
// in the distribution's order, is the behavior CloudFront chose (an earlier match would have won).
// That holds while the index keeps the distribution's order; cutover rewrites it when that changes.

const FORMAT = 1;
const INDEX_KEY = 'routes';
const ROUTE_PREFIX = 'route:';
// Bounds the reads a request can cost even if "next" links loop.
const MAX_INDEX_PAGES = 8;
// The record rules (src/router/record-rules.json; the tests check these against it).
const SHARE_MAX = 100;
const ORIGIN_ID = /^[\x20-\x7e]{1,128}$/;
const STICKY = /^(cookie|header):[\x21-\x7e]{1,128}$/;
// The header of cutover's test event, on which the function logs what it read and chose.
const TEST_HEADER = 'cutover-router-test';

async function handler(event) {
    const request = event.request;
    // Only a request carrying the test header (cutover's TestFunction event) logs, one short line:
    // at edge rates a line per request would cost more than it tells, and a viewer who sends the
    // header buys one line of about 60 bytes per request, nothing more.
    const trace = isObject(request.headers) && request.headers[TEST_HEADER] !== undefined;
    try {
        // Inside the try: a function whose store association went missing must still fail open.
        const kvs = cf.kvs();
        const pattern = await findRoute(kvs, request.uri);
        if (pattern === null) {
            if (trace) {
                console.log('cutover-router: no route');
            }
            return request;
        }
        const record = parseRecord(await kvs.get(ROUTE_PREFIX + pattern, { format: 'string' }));
        let chosen = 'home';
        if (record !== null && bucket(viewerKey(event, record.sticky)) < record.share) {
            cf.selectRequestOriginById(record.lambda);
            chosen = record.lambda;
        }
        if (trace) {
            const read = record === null ? 'unreadable' : 'share ' + record.share;
            console.log('cutover-router: ' + ROUTE_PREFIX + pattern + ' ' + read + ' -> ' + chosen);
        }
    } catch (e) {
        // Fail open: see the top. Only the test event logs; the store shows what is wrong.
        if (trace) {
            console.log('cutover-router: failed open');
        }
    }
    return request;
}

// The routed pattern serving `uri`, or null. Pages are read one `await` at a time, as AWS advises,
// and only until a pattern matches.
async function findRoute(kvs, uri) {
    let key = INDEX_KEY;
    for (let page = 0; page < MAX_INDEX_PAGES; page++) {
        const text = await kvs.get(key, { format: 'string' });
        const index = JSON.parse(text);
        if (!isObject(index) || index.v !== FORMAT || !Array.isArray(index.routes)) {
            return null;
        }
        if (index.next !== undefined && !isName(index.next)) {
            return null;
        }
        // The one form cutover writes, as for records (see parseRecord).
        const page = index.next === undefined
            ? { v: index.v, routes: index.routes }
            : { v: index.v, routes: index.routes, next: index.next };
        if (JSON.stringify(page) !== text) {
            return null;
        }
        // Strings only, or the page is refused whole (as cutover reads it).
        if (!index.routes.every((p) => typeof p === 'string')) {
            return null;
        }
        for (let i = 0; i < index.routes.length; i++) {
            if (matches(index.routes[i], uri)) {
                return index.routes[i];
            }
        }
        if (!isName(index.next)) {
            return null;
        }
        key = index.next;
    }
    return null;
}

// A route record, or null when anything in it is not what format 1 promises. The rules are
// record-rules.json's, which Rust's RouteRecord::decode follows too: valid fields, and the value
// exactly the JSON they encode to (a repeated key, 100.0, 1e2, a null, an unknown key: refused,
// where JSON.parse alone keeps the last key and takes 100.0 for 100).
function parseRecord(text) {
    const r = JSON.parse(text);
    if (!isObject(r) || r.v !== FORMAT) {
        return null;
    }
    const share = r.share;
    if (typeof share !== 'number' || share % 1 !== 0 || share < 0 || share > SHARE_MAX) {
        return null;
    }
    if (!isOriginId(r.lambda) || !isOriginId(r.home)) {
        return null;
    }
    if (r.sticky !== undefined && !(typeof r.sticky === 'string' && STICKY.test(r.sticky))) {
        return null;
    }
    const record = r.sticky === undefined
        ? { v: r.v, share: share, lambda: r.lambda, home: r.home }
        : { v: r.v, share: share, lambda: r.lambda, home: r.home, sticky: r.sticky };
    return JSON.stringify(record) === text ? record : null;
}

function isOriginId(value) {
    return typeof value === 'string' && ORIGIN_ID.test(value);
}

// CloudFront path pattern semantics: `*` any run of characters (slashes too), `?` exactly one,
// everything else literal and case-sensitive, the whole path must match, and a pattern means the
// same with or without its leading slash. Greedy with one backtrack point: linear for patterns
// with one `*`, and bounded by pattern × URI length for the rest.
function matches(pattern, uri) {
    if (pattern.charAt(0) !== '/') {
        pattern = '/' + pattern;
    }
    let p = 0;
    let u = 0;
    let star = -1;
    let resume = 0;
    while (u < uri.length) {
        const c = pattern.charAt(p);
        if (c === '*') {
            star = p++;
            resume = u;
        } else if (p < pattern.length && (c === '?' || c === uri.charAt(u))) {
            p++;
            u++;
        } else if (star >= 0) {
            p = star + 1;
            u = ++resume;
        } else {
            return false;
        }
    }
    while (pattern.charAt(p) === '*') {
        p++;
    }
    return p === pattern.length;
}

// What identifies the viewer: the named cookie or header when the request has it, else the IP.
// A viewer whose first request lacks the cookie is bucketed by IP until it has one.
function viewerKey(event, sticky) {
    if (sticky !== undefined) {
        const colon = sticky.indexOf(':');
        const name = sticky.slice(colon + 1);
        const found = sticky.slice(0, colon) === 'cookie'
            ? event.request.cookies[name]
            : event.request.headers[name.toLowerCase()];
        if (found && typeof found.value === 'string' && found.value !== '') {
            return found.value;
        }
    }
    const ip = event.viewer.ip;
    if (!isName(ip)) {
        throw new Error('no viewer ip');
    }
    return ip;
}

// The viewer's bucket, 0..99: FNV-1a (32 bits) of its key's UTF-16 code units (its bytes, for the
// ASCII of IPs and cookie values), modulo 100. The same key always lands in the same bucket, and a
// share of N takes buckets 0..N-1, so raising the share only ever moves viewers towards Lambda.
// Every route uses the same buckets: routes with the same sticky key at 1 % send the same 1 % of
// viewers, so one viewer's requests do not straddle the sides route by route.
function bucket(key) {
    let h = 0x811c9dc5;
    for (let i = 0; i < key.length; i++) {
        h ^= key.charCodeAt(i);
        // h * 16777619 (the FNV prime, 2^24 + 403) as shifts: exact in doubles, and `^=` above
        // brings it back to 32 bits.
        h += (h << 1) + (h << 4) + (h << 7) + (h << 8) + (h << 24);
    }
    return (h >>> 0) % 100;
}

function isObject(value) {
    return typeof value === 'object' && value !== null;
}

function isName(value) {
    return typeof value === 'string' && value !== '';
}
