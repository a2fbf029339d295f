// Loads src/router/router.js for Node. The function's first line imports `cloudfront`, a module
// only CloudFront has. Rather than a loader hook or an import map (which differ from one Node
// version to the next), the harness rewrites that one line: the rest of the file becomes the body
// of a function that takes `cf` as its parameter, in strict mode as CloudFront runs it. Each call
// builds a fresh router around the stand-in `cf` it is given (cloudfront-stub.mjs), and hands back
// the handler and the helpers the tests check directly.

import { readFileSync } from 'node:fs';

export const ROUTER_PATH = new URL('../../src/router/router.js', import.meta.url);
export const SOURCE = readFileSync(ROUTER_PATH, 'utf8');
export const IMPORT_LINE = "import cf from 'cloudfront';";

export function loadRouter(cf) {
    return loadRouterFrom(SOURCE, cf);
}

// The same for another copy of the code (the fake TestFunction runs the code it was given).
export function loadRouterFrom(source, cf) {
    const newline = source.indexOf('\n');
    if (source.slice(0, newline) !== IMPORT_LINE) {
        throw new Error(`router.js must open with ${IMPORT_LINE}`);
    }
    // Keeps line numbers: the import's line becomes the strict-mode directive.
    const body = `'use strict';${source.slice(newline)}\nreturn { handler, matches, bucket, parseRecord };`;
    return new Function('cf', body)(cf);
}

// A viewer-request event as CloudFront hands it to a function (the fields the router reads and a
// few it must leave alone).
export function viewerRequest({ uri = '/', ip = '198.51.100.7', cookies = {}, headers = {} } = {}) {
    const wrap = (entries) => Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, { value: v }]));
    return {
        version: '1.0',
        context: { distributionId: 'EDFDVBD6EXAMPLE', eventType: 'viewer-request', requestId: 'r-1' },
        viewer: ip === null ? {} : { ip },
        request: {
            method: 'GET',
            uri,
            querystring: { page: { value: '2' } },
            headers: { host: { value: 'shop.example.com' }, ...wrap(headers) },
            cookies: wrap(cookies),
        },
    };
}
