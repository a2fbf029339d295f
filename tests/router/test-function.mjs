// The fake CloudFront's TestFunction (tests/support/fake_cloudfront.rs): runs the function code it
// is given on one event, over the store it is given, as CloudFront's TestFunction does, and prints
// JSON: the console.log lines (FunctionExecutionLogs), the error message if the handler threw, the
// request it returned (FunctionOutput) and a compute utilization. Input: JSON on stdin,
// { "code": "...", "store": { key: value }, "event": {...} }.

import { readFileSync } from 'node:fs';

import { fakeCloudfront } from './cloudfront-stub.mjs';
import { loadRouterFrom } from './load-router.mjs';

const input = JSON.parse(readFileSync(0, 'utf8'));
const { cf, seen } = fakeCloudfront({ store: input.store, origins: null });
const logs = [];
const log = console.log;
console.log = (...parts) => logs.push(parts.map(String).join(' '));
let error = '';
let output = null;
try {
    const router = loadRouterFrom(input.code, cf);
    output = await router.handler(input.event);
} catch (e) {
    error = String(e && e.message ? e.message : e);
} finally {
    console.log = log;
}
process.stdout.write(JSON.stringify({ logs, error, output: JSON.stringify({ request: output }), utilization: '5', selected: seen.selected }));
