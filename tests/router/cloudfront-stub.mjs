// A stand-in for CloudFront Functions' built-in `cloudfront` module: a KeyValueStore held in a plain
// object, and selectRequestOriginById() that records the origin chosen. It behaves as AWS documents
// the real one: get() is asynchronous and throws on a missing key; selecting an origin that is not
// in the distribution throws. Knobs make each failure the router must survive happen on demand.

export function fakeCloudfront({
    store = {},
    origins = [],
    getFails = null, // (key) => Error to throw instead of reading, or null to read
    kvsFails = null, // Error for cf.kvs() to throw
    selectFails = null, // Error for selectRequestOriginById() to throw
} = {}) {
    const seen = { gets: [], selected: [], inFlight: 0, mostInFlight: 0 };
    const kvs = {
        async get(key, options = {}) {
            seen.gets.push(key);
            seen.inFlight += 1;
            seen.mostInFlight = Math.max(seen.mostInFlight, seen.inFlight);
            try {
                // A real read resolves later; let other work interleave as it would.
                await null;
                const failure = getFails && getFails(key);
                if (failure) {
                    throw failure;
                }
                if (!Object.prototype.hasOwnProperty.call(store, key)) {
                    throw new Error(`KeyNotFound: ${key}`);
                }
                const value = store[key];
                return options.format === 'json' ? JSON.parse(value) : value;
            } finally {
                seen.inFlight -= 1;
            }
        },
    };
    const cf = {
        kvs() {
            if (kvsFails) {
                throw kvsFails;
            }
            return kvs;
        },
        selectRequestOriginById(id) {
            if (selectFails) {
                throw selectFails;
            }
            // `origins: null`: any id is taken (TestFunction runs without a distribution).
            if (origins !== null && !origins.includes(id)) {
                throw new Error(`origin ${id} is not in the distribution`);
            }
            seen.selected.push(id);
        },
    };
    return { cf, seen };
}
