// The router function (src/router/router.js) under Node, with a stand-in `cloudfront` module:
// shares over many synthetic viewers, stickiness, fail-open on every error, unknown routes, the
// cookie/header and IP fallbacks, and the example store the Rust side writes. Run by
// scripts/test-router (`node --test`); needs Node 18 or later and nothing from npm.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { fakeCloudfront } from './cloudfront-stub.mjs';
import { IMPORT_LINE, SOURCE, loadRouter, viewerRequest } from './load-router.mjs';

const EXAMPLE = JSON.parse(readFileSync(new URL('./store-example.json', import.meta.url), 'utf8'));
const ORIGINS = ['monolith', 'users-fn'];

function record(fields) {
    return JSON.stringify({ v: 1, share: 100, lambda: 'users-fn', home: 'monolith', ...fields });
}

// One routed behavior, /api/users/*, at `share` % unless `fields` say otherwise.
function usersStore(fields = {}) {
    return {
        routes: JSON.stringify({ v: 1, routes: ['/api/users/*'] }),
        'route:/api/users/*': record(fields),
    };
}

// Runs one request; returns the origin selected (null: none) after checking that the handler
// resolved with the request it was given.
async function route(router, seen, event) {
    const before = seen.selected.length;
    const result = await router.handler(event);
    assert.equal(result, event.request, 'the handler returns the request it was given');
    assert.ok(seen.selected.length - before <= 1, 'at most one origin selected per request');
    return seen.selected.length > before ? seen.selected[seen.selected.length - 1] : null;
}

// A small seeded generator, so that every run sees the same synthetic viewers.
function generator(seed) {
    let s = seed >>> 0;
    return () => {
        s = (s + 0x6d2b79f5) >>> 0;
        let t = s;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

const VIEWERS = 100_000;

function syntheticViewers(seed) {
    const next = generator(seed);
    const byte = () => Math.floor(next() * 256);
    const viewers = [];
    for (let i = 0; i < VIEWERS; i++) {
        // Half are known by a session cookie, half only by their IP.
        const ip = `${1 + (byte() % 223)}.${byte()}.${byte()}.${byte()}`;
        const session = i % 2 === 0 ? Math.floor(next() * 2 ** 52).toString(36) : null;
        viewers.push({ ip, cookies: session === null ? {} : { session } });
    }
    return viewers;
}

test('the source is what CloudFront accepts: the import first, under 10 KB, awaits one at a time', () => {
    assert.equal(SOURCE.split('\n')[0], IMPORT_LINE);
    const bytes = Buffer.byteLength(SOURCE, 'utf8');
    assert.ok(bytes < 10 * 1024, `router.js is ${bytes} bytes, over CloudFront's 10 KB`);
    // AWS warns that promise combinators and chains can exhaust the function's memory, and
    // supports `async` only on function declarations (no async closures or arrows).
    assert.doesNotMatch(SOURCE, /Promise\.|\.then\(|\.catch\(/);
    for (const found of SOURCE.matchAll(/\basync\b.*/g)) {
        assert.match(found[0], /^async function \w+\(/, `async outside a declaration: ${found[0]}`);
    }
    assert.doesNotMatch(SOURCE, /^\s*export\b/m, 'a CloudFront Function exports nothing');
});

test('bucket is FNV-1a (32 bits) modulo 100', () => {
    const { bucket } = loadRouter(fakeCloudfront().cf);
    // Published FNV-1a test vectors.
    assert.equal(bucket(''), 0x811c9dc5 % 100);
    assert.equal(bucket('a'), 0xe40c292c % 100);
    assert.equal(bucket('foobar'), 0xbf9cf968 % 100);
});

test('path patterns match as CloudFront matches them', () => {
    const { matches } = loadRouter(fakeCloudfront().cf);
    const cases = [
        ['/api/users/*', '/api/users/42', true],
        ['/api/users/*', '/api/users/', true],
        ['/api/users/*', '/api/users', false],
        ['/api/users/*', '/api/users/42/orders', true], // `*` crosses slashes
        ['api/users/*', '/api/users/42', true], // the leading slash is optional
        ['/api/users/*', '/API/users/42', false], // case-sensitive
        ['/api/users', '/api/users', true],
        ['/api/users', '/api/users/1', false], // the whole path must match
        ['*', '/anything/at/all', true], // the default behavior's pattern
        ['*.jpg', '/images/a.jpg', true],
        ['*.jpg', '/images/a.jpeg', false],
        ['/v?/items', '/v1/items', true],
        ['/v?/items', '/v10/items', false],
        ['/v?/items', '/v/items', false],
        ['/a*b*c', '/aXXbYYc', true],
        ['/a*b*c', '/aXXbYYcZ', false],
        ['/a*b*c', '/abcbc', true],
        ['/a**', '/a', true],
        ['/files/*', '/files/*', true],
        ['/files/x', '/files/*', false],
    ];
    for (const [pattern, uri, expected] of cases) {
        assert.equal(matches(pattern, uri), expected, `${pattern} against ${uri}`);
    }
});

test('the example store: every request goes where the example says', async () => {
    const { cf, seen } = fakeCloudfront({ store: EXAMPLE.store, origins: EXAMPLE.origins });
    const router = loadRouter(cf);
    for (const r of EXAMPLE.requests) {
        const origin = await route(router, seen, viewerRequest(r));
        assert.equal(origin, r.origin, `${r.uri}: ${r.why}`);
    }
    assert.equal(seen.mostInFlight, 1, 'one store read in flight at a time');
});

for (const share of [1, 5, 10, 25, 50]) {
    test(`${share} % of ${VIEWERS.toLocaleString('en')} viewers go to Lambda, within ±1 %`, async () => {
        const { cf, seen } = fakeCloudfront({ store: usersStore({ share, sticky: 'cookie:session' }), origins: ORIGINS });
        const router = loadRouter(cf);
        let lambda = 0;
        for (const viewer of syntheticViewers(share)) {
            if ((await route(router, seen, viewerRequest({ uri: '/api/users/1', ...viewer }))) === 'users-fn') {
                lambda += 1;
            }
        }
        const observed = (100 * lambda) / VIEWERS;
        assert.ok(Math.abs(observed - share) <= 1, `${observed.toFixed(2)} % went to Lambda at a share of ${share} %`);
    });
}

test('0 % sends nobody and 100 % everybody', async () => {
    const viewers = syntheticViewers(7).slice(0, 20_000);
    for (const [share, expected] of [
        [0, null],
        [100, 'users-fn'],
    ]) {
        const { cf, seen } = fakeCloudfront({ store: usersStore({ share }), origins: ORIGINS });
        const router = loadRouter(cf);
        for (const viewer of viewers) {
            assert.equal(await route(router, seen, viewerRequest({ uri: '/api/users/1', ...viewer })), expected);
        }
    }
});

test('a viewer keeps its side across requests, and raising the share only moves viewers to Lambda', async () => {
    const store = usersStore({ share: 0, sticky: 'cookie:session' });
    const { cf, seen } = fakeCloudfront({ store, origins: ORIGINS });
    const router = loadRouter(cf);
    const viewers = syntheticViewers(11).slice(0, 5_000);
    let before = new Set();
    for (const share of [0, 1, 5, 10, 25, 50, 100]) {
        // The store changes under the same running function, as an update reaching the edge.
        store['route:/api/users/*'] = record({ share, sticky: 'cookie:session' });
        const now = new Set();
        for (const [i, viewer] of viewers.entries()) {
            const first = await route(router, seen, viewerRequest({ uri: '/api/users/1', ...viewer }));
            for (let again = 0; again < 2; again++) {
                const uri = `/api/users/${again}`;
                assert.equal(await route(router, seen, viewerRequest({ uri, ...viewer })), first, 'same viewer, same side');
            }
            if (first === 'users-fn') {
                now.add(i);
            }
        }
        for (const i of before) {
            assert.ok(now.has(i), `viewer ${i} went back to the monolith when the share rose to ${share} %`);
        }
        before = now;
    }
    assert.equal(before.size, viewers.length);
});

test('the cookie identifies the viewer; without it the IP does', async () => {
    const { cf, seen } = fakeCloudfront({ store: usersStore({ share: 25, sticky: 'cookie:session' }), origins: ORIGINS });
    const router = loadRouter(cf);
    const { bucket } = router;
    const uri = '/api/users/1';
    // "ivan" is in bucket 21; both IPs are in buckets 65 and 2: the cookie decides, whatever the IP.
    assert.equal([bucket('ivan'), bucket('198.51.100.7'), bucket('203.0.113.9')].join(), '21,65,2');
    for (const ip of ['198.51.100.7', '203.0.113.9']) {
        assert.equal(await route(router, seen, viewerRequest({ uri, ip, cookies: { session: 'ivan' } })), 'users-fn');
    }
    // Without the cookie, or with an empty one, or with another cookie, the IP decides.
    for (const cookies of [{}, { session: '' }, { other: 'ivan' }]) {
        assert.equal(await route(router, seen, viewerRequest({ uri, ip: '198.51.100.7', cookies })), null);
        assert.equal(await route(router, seen, viewerRequest({ uri, ip: '203.0.113.9', cookies })), 'users-fn');
    }
    // Cookie names are case-sensitive.
    assert.equal(await route(router, seen, viewerRequest({ uri, ip: '198.51.100.7', cookies: { Session: 'ivan' } })), null);
});

test('a header identifies the viewer, by its name in any case; without it the IP does', async () => {
    for (const sticky of ['header:X-Viewer-Id', 'header:x-viewer-id']) {
        const { cf, seen } = fakeCloudfront({ store: usersStore({ share: 25, sticky }), origins: ORIGINS });
        const router = loadRouter(cf);
        const uri = '/api/users/1';
        // CloudFront hands functions lowercase header names.
        const headers = { 'x-viewer-id': 'ivan' };
        assert.equal(await route(router, seen, viewerRequest({ uri, ip: '198.51.100.7', headers })), 'users-fn');
        assert.equal(await route(router, seen, viewerRequest({ uri, ip: '198.51.100.7' })), null);
        assert.equal(await route(router, seen, viewerRequest({ uri, ip: '203.0.113.9' })), 'users-fn');
        // The cookie of the same name is not the header.
        const cookies = { 'x-viewer-id': 'ivan' };
        assert.equal(await route(router, seen, viewerRequest({ uri, ip: '198.51.100.7', cookies })), null);
    }
});

test('unknown routes are untouched, and cost one read of the index', async () => {
    const { cf, seen } = fakeCloudfront({ store: EXAMPLE.store, origins: EXAMPLE.origins });
    const router = loadRouter(cf);
    for (const uri of ['/', '/static/app.js', '/api/userz/1', '/API/users/1', '/search', '/searchxy']) {
        const event = viewerRequest({ uri, ip: '203.0.113.9' });
        const untouched = structuredClone(event.request);
        seen.gets.length = 0;
        assert.equal(await route(router, seen, event), null, uri);
        assert.deepEqual(event.request, untouched, uri);
        assert.deepEqual(seen.gets, ['routes'], uri);
    }
});

test('a long index is read page by page, one await at a time, and stops at the first match', async () => {
    const first = Array.from({ length: 30 }, (_, i) => `/api/v1/resource-${i}/*`);
    const store = {
        routes: JSON.stringify({ v: 1, routes: first, next: 'routes.2' }),
        'routes.2': JSON.stringify({ v: 1, routes: ['/api/users/*'], next: 'routes.3' }),
        'routes.3': JSON.stringify({ v: 1, routes: ['*'] }),
        'route:/api/users/*': record({ share: 100 }),
        'route:/api/v1/resource-3/*': record({ share: 100 }),
    };
    const { cf, seen } = fakeCloudfront({ store, origins: ORIGINS });
    const router = loadRouter(cf);
    const read = async (uri) => {
        seen.gets.length = 0;
        const origin = await route(router, seen, viewerRequest({ uri }));
        return [origin, [...seen.gets]];
    };
    assert.deepEqual(await read('/api/users/1'), ['users-fn', ['routes', 'routes.2', 'route:/api/users/*']]);
    assert.deepEqual(await read('/api/v1/resource-3/x'), ['users-fn', ['routes', 'route:/api/v1/resource-3/*']]);
    // Matched on page 3 by the default behavior's `*`, which has no record: untouched.
    assert.deepEqual(await read('/elsewhere'), [null, ['routes', 'routes.2', 'routes.3', 'route:*']]);
    assert.equal(seen.mostInFlight, 1);
});

test('an index whose pages loop costs at most 8 reads and leaves the request alone', async () => {
    const store = {
        routes: JSON.stringify({ v: 1, routes: ['/a'], next: 'routes.2' }),
        'routes.2': JSON.stringify({ v: 1, routes: ['/b'], next: 'routes' }),
    };
    const { cf, seen } = fakeCloudfront({ store, origins: ORIGINS });
    assert.equal(await route(loadRouter(cf), seen, viewerRequest({ uri: '/c' })), null);
    assert.equal(seen.gets.length, 8);
});

// Each case: what to change from a working setup (share 100, so that without the fault the request
// would go to Lambda).
const FAULTS = {
    'the index key is missing': { store: { 'route:/api/users/*': record({}) } },
    'the route key is missing': { store: { routes: usersStore().routes } },
    'the index is not JSON': { store: { ...usersStore(), routes: '{"v":1,"routes":["/api/users/*"' } },
    'the record is not JSON': { store: usersStore(), raw: 'share=100' },
    'the record is empty': { store: usersStore(), raw: '' },
    'the record is JSON null': { store: usersStore(), raw: 'null' },
    'the record is a JSON string': { store: usersStore(), raw: '"users-fn"' },
    'the record is a JSON array': { store: usersStore(), raw: '[1,100,"users-fn","monolith"]' },
    'the index has another version': { store: { ...usersStore(), routes: '{"v":2,"routes":["/api/users/*"]}' } },
    'the index has no version': { store: { ...usersStore(), routes: '{"routes":["/api/users/*"]}' } },
    'the index routes are not a list': { store: { ...usersStore(), routes: '{"v":1,"routes":"/api/users/*"}' } },
    'an index route is not a string': { store: { ...usersStore(), routes: '{"v":1,"routes":[7,"/api/users/*"]}' } },
    // The page is refused whole, as Rust's IndexPage::decode refuses it, even where the match comes first.
    'an index route after the match is not a string': { store: { ...usersStore(), routes: '{"v":1,"routes":["/api/users/*",7]}' } },
    'the record has another version': { store: usersStore({ v: 2 }) },
    'the record has its version as text': { store: usersStore({ v: '1' }) },
    'the record has no version': { store: usersStore({ v: undefined }) },
    'the share is over 100': { store: usersStore({ share: 101 }) },
    'the share is negative': { store: usersStore({ share: -1 }) },
    'the share is fractional': { store: usersStore({ share: 99.5 }) },
    'the share is text': { store: usersStore({ share: '100' }) },
    'the share is null': { store: usersStore({ share: null }) },
    'the share is missing': { store: usersStore({ share: undefined }) },
    'the Lambda origin is missing': { store: usersStore({ lambda: undefined }) },
    'the Lambda origin is empty': { store: usersStore({ lambda: '' }) },
    'the Lambda origin is a number': { store: usersStore({ lambda: 7 }) },
    'the home origin is missing': { store: usersStore({ home: undefined }) },
    'the sticky key has no name': { store: usersStore({ sticky: 'cookie:' }) },
    'the sticky key is of an unknown kind': { store: usersStore({ sticky: 'query:id' }) },
    'the sticky key is not text': { store: usersStore({ sticky: 7 }) },
    'the sticky key is a list': { store: usersStore({ sticky: ['cookie:session'] }) },
    'the Lambda origin is not in the distribution': { store: usersStore({ lambda: 'gone-fn' }) },
    'the store throws reading the index': { store: usersStore(), getFails: (k) => (k === 'routes' ? new Error('throttled') : null) },
    'the store throws reading the record': { store: usersStore(), getFails: (k) => (k === 'routes' ? null : new Error('timeout')) },
    'the store throws something not an Error': { store: usersStore(), getFails: () => 'boom' },
    'cf.kvs() throws': { store: usersStore(), kvsFails: new Error('no key value store associated') },
    'selectRequestOriginById throws': { store: usersStore(), selectFails: new Error('origin selection failed') },
    'the viewer has no IP and no sticky key': { store: usersStore(), ip: null },
};

test('the setup the faults start from does send the request to Lambda', async () => {
    const { cf, seen } = fakeCloudfront({ store: usersStore(), origins: ORIGINS });
    assert.equal(await route(loadRouter(cf), seen, viewerRequest({ uri: '/api/users/1' })), 'users-fn');
});

for (const [name, fault] of Object.entries(FAULTS)) {
    test(`fails open when ${name}`, async () => {
        const store = { ...fault.store };
        if ('raw' in fault) {
            store['route:/api/users/*'] = fault.raw;
        }
        const { cf, seen } = fakeCloudfront({ ...fault, store, origins: ORIGINS });
        const router = loadRouter(cf);
        const event = viewerRequest({ uri: '/api/users/1', ip: fault.ip === undefined ? '198.51.100.7' : fault.ip });
        const untouched = structuredClone(event.request);
        assert.equal(await route(router, seen, event), null);
        assert.deepEqual(event.request, untouched, 'the request is not changed');
        assert.deepEqual(seen.selected, []);
    });
}
