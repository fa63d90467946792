// Module resolve hook for the simulator CLI: every import of core/crypto/sign.ts (except the memoizing
// wrapper's own) resolves to crypto-memo-sign.ts. Plain JS: hooks load before any TypeScript loader applies.
const WRAPPER = new URL('./crypto-memo-sign.ts', import.meta.url).href
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context)
  if (r.url.endsWith('/core/crypto/sign.ts') && context.parentURL !== WRAPPER) return { ...r, url: WRAPPER }
  return r
}
