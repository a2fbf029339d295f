// The harness's edge (tests/router_moto.rs): runs src/router/router.js over the store it is given
// (JSON on stdin: { "store": { key: value }, "uri": "/api/x", "viewers": 10000, "lambda": "id" })
// for that many distinct viewers, each known by its IP, and prints JSON: how many the function sent
// to the Lambda origin, and how many it left alone.

import { readFileSync } from 'node:fs';

import { fakeCloudfront } from './cloudfront-stub.mjs';
import { loadRouter, viewerRequest } from './load-router.mjs';

const input = JSON.parse(readFileSync(0, 'utf8'));
const { cf, seen } = fakeCloudfront({ store: input.store, origins: null });
const router = loadRouter(cf);
let lambda = 0;
let left = 0;
for (let i = 0; i < input.viewers; i++) {
    const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    const before = seen.selected.length;
    await router.handler(viewerRequest({ uri: input.uri, ip }));
    if (seen.selected.length > before) {
        if (seen.selected[seen.selected.length - 1] === input.lambda) {
            lambda += 1;
        }
    } else {
        left += 1;
    }
}
process.stdout.write(JSON.stringify({ lambda, left, gets: seen.gets.length }));
