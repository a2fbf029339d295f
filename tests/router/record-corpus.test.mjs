// One record format, two readers, one verdict: every value of record-corpus.json goes through
// router.js's parseRecord, which must act on exactly the share the corpus says (or refuse it, null),
// as src/router/mod.rs's tests check for RouteRecord::decode on the same file. And router.js's
// constants are record-rules.json's, so the rules are written once.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { fakeCloudfront } from './cloudfront-stub.mjs';
import { SOURCE, loadRouter } from './load-router.mjs';

const CORPUS = JSON.parse(readFileSync(new URL('./record-corpus.json', import.meta.url), 'utf8'));
const RULES = JSON.parse(readFileSync(new URL('../../src/router/record-rules.json', import.meta.url), 'utf8'));

test('the corpus is large enough and covers refusals and acceptances', () => {
    assert.ok(CORPUS.values.length >= 60, `${CORPUS.values.length} values`);
    assert.ok(CORPUS.values.filter((c) => c.share === null).length >= 40);
    assert.ok(CORPUS.values.filter((c) => c.share !== null).length >= 5);
});

test('parseRecord gives the corpus verdict for every value', () => {
    const { parseRecord } = loadRouter(fakeCloudfront().cf);
    const wrong = [];
    for (const { why, value, share } of CORPUS.values) {
        let record;
        try {
            record = parseRecord(value);
        } catch (e) {
            // JSON.parse threw: the handler's catch fails open, the same as a refusal.
            record = null;
        }
        const got = record === null ? null : record.share;
        if (got !== share) {
            wrong.push(`${why}: expected ${share}, got ${got}`);
        }
    }
    assert.deepEqual(wrong, []);
});

test('a refused record sends nobody to Lambda through the handler', async () => {
    const { cf, seen } = fakeCloudfront({ origins: ['apigw', 'legacy-elb'] });
    for (const { value, share } of CORPUS.values) {
        const store = { routes: '{"v":1,"routes":["/api/*"]}', 'route:/api/*': value };
        const { cf: routed, seen: picked } = fakeCloudfront({ store, origins: ['apigw', 'legacy-elb', 'a'.repeat(128), 'api gw.prod-1'] });
        const router = loadRouter(routed);
        for (let i = 0; i < 50; i++) {
            const event = { context: {}, viewer: { ip: `10.0.0.${i}` }, request: { uri: '/api/x', headers: {}, cookies: {} } };
            await router.handler(event);
        }
        if (share === null || share === 0) {
            assert.deepEqual(picked.selected, [], `sent viewers to Lambda on ${value.slice(0, 80)}`);
        }
    }
    assert.deepEqual(seen.selected, []);
    void cf;
});

test("router.js's constants are record-rules.json's", () => {
    assert.equal(RULES.format, 1);
    assert.ok(SOURCE.includes(`const FORMAT = ${RULES.format};`));
    assert.ok(SOURCE.includes(`const SHARE_MAX = ${RULES.share_max};`));
    assert.equal(RULES.share_min, 0);
    assert.ok(SOURCE.includes(`const ORIGIN_ID = /${RULES.origin_id_pattern}/;`), RULES.origin_id_pattern);
    assert.ok(SOURCE.includes(`const STICKY = /${RULES.sticky_pattern}/;`), RULES.sticky_pattern);
    // The canonical form's field order is the order parseRecord rebuilds the record in.
    assert.ok(SOURCE.includes('{ v: r.v, share: share, lambda: r.lambda, home: r.home, sticky: r.sticky }'));
    assert.deepEqual(RULES.fields, ['v', 'share', 'lambda', 'home', 'sticky']);
});

test('the test header makes the handler log which record it read and which origin it chose', async () => {
    const store = {
        routes: '{"v":1,"routes":["/api/*"]}',
        'route:/api/*': '{"v":1,"share":100,"lambda":"apigw","home":"legacy-elb"}',
    };
    const { cf } = fakeCloudfront({ store, origins: ['apigw'] });
    const router = loadRouter(cf);
    const logged = [];
    const log = console.log;
    console.log = (line) => logged.push(line);
    try {
        const event = (headers) => ({ viewer: { ip: '198.51.100.7' }, request: { uri: '/api/x', headers, cookies: {} } });
        await router.handler(event({ 'cutover-router-test': { value: '1' } }));
        await router.handler(event({}));
    } finally {
        console.log = log;
    }
    assert.deepEqual(logged, ['cutover-router: route:/api/* share 100 -> apigw'], 'one line, only for the test header');
});
