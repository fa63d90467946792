// Byte helpers shared by every layer: hex, utf8, concatenation, ordering.
export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)
export const fromUtf8 = (b: Uint8Array): string => new TextDecoder().decode(b)

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')
}

export function fromHex(hex: string): Uint8Array {
  const h = hex.startsWith('0x') ? hex.slice(2) : hex
  if (h.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(h)) throw new Error(`invalid hex string (${h.length} chars)`)
  return new Uint8Array(Buffer.from(h, 'hex'))
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let o = 0
  for (const p of parts) { out.set(p, o); o += p.length }
  return out
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** Lexicographic order; the canonical sort for byte keys. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!
  return a.length - b.length
}

/** Big-endian unsigned encoding of a non-negative integer in `width` bytes (ordered range scans). */
export function u64be(n: number | bigint, width = 8): Uint8Array {
  let v = BigInt(n)
  if (v < 0n || v >= 1n << BigInt(width * 8)) throw new RangeError(`${n} does not fit in ${width} bytes`)
  const out = new Uint8Array(width)
  for (let i = width - 1; i >= 0; i--) { out[i] = Number(v & 0xffn); v >>= 8n }
  return out
}

export function readU64be(b: Uint8Array, offset = 0, width = 8): bigint {
  let v = 0n
  for (let i = 0; i < width; i++) v = (v << 8n) | BigInt(b[offset + i]!)
  return v
}
