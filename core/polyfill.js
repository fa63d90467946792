// Node 20 shim: libp2p v3 uses Promise.withResolvers (Node 22+). Loaded before anything else in every
// entry point (bin/agora.js, vitest setup, bench runner). Plain JS so it runs before any TS loader.
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers() {
    let resolve, reject
    const promise = new this((res, rej) => { resolve = res; reject = rej })
    return { promise, resolve, reject }
  }
}
