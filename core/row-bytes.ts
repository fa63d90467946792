// The canonical bytes of a state row (core/encoding.ts `encode`), written fast for the common shapes:
// arrays and plain objects (ASCII keys) of ASCII strings, safe integers, 64-bit bigints, booleans and null.
// Anything else (byte strings, non-ASCII text, floats) goes through `encode`, so the bytes are always
// `encode(row)`'s.
import { encode } from './encoding.ts'

let buf = new Uint8Array(1 << 16)
let pos = 0
/** Thrown inside the fast path when the row has a shape it does not write. */
const UNSUPPORTED = Symbol('unsupported')
const U64_MAX = (1n << 64n) - 1n

function ensure(n: number): void {
  if (pos + n <= buf.length) return
  let size = buf.length * 2
  while (size < pos + n) size *= 2
  const b = new Uint8Array(size)
  b.set(buf.subarray(0, pos))
  buf = b
}

/** A CBOR head: major type and minimal-length argument (0 ≤ v ≤ 2^53). */
function head(major: number, v: number): void {
  ensure(9)
  const m = major << 5
  if (v < 24) buf[pos++] = m | v
  else if (v < 0x100) { buf[pos++] = m | 24; buf[pos++] = v }
  else if (v < 0x10000) { buf[pos++] = m | 25; buf[pos++] = v >> 8; buf[pos++] = v & 0xff }
  else if (v < 0x100000000) { buf[pos++] = m | 26; buf[pos++] = v >>> 24; buf[pos++] = (v >>> 16) & 0xff; buf[pos++] = (v >>> 8) & 0xff; buf[pos++] = v & 0xff }
  else {
    const hi = Math.floor(v / 0x100000000)
    const lo = v >>> 0
    buf[pos++] = m | 27
    buf[pos++] = hi >>> 24; buf[pos++] = (hi >>> 16) & 0xff; buf[pos++] = (hi >>> 8) & 0xff; buf[pos++] = hi & 0xff
    buf[pos++] = lo >>> 24; buf[pos++] = (lo >>> 16) & 0xff; buf[pos++] = (lo >>> 8) & 0xff; buf[pos++] = lo & 0xff
  }
}

function bigHead(major: number, v: bigint): void {
  if (v <= 0x1fffffffffffffn) return head(major, Number(v))
  ensure(9)
  buf[pos++] = (major << 5) | 27
  for (let s = 56n; s >= 0n; s -= 8n) buf[pos++] = Number((v >> s) & 0xffn)
}

function write(v: unknown): void {
  switch (typeof v) {
    case 'string': {
      const n = v.length
      head(3, n)
      ensure(n)
      for (let i = 0; i < n; i++) {
        const c = v.charCodeAt(i)
        if (c > 0x7f) throw UNSUPPORTED
        buf[pos++] = c
      }
      return
    }
    case 'number':
      if (!Number.isSafeInteger(v) || Object.is(v, -0)) throw UNSUPPORTED
      return v >= 0 ? head(0, v) : head(1, -1 - v)
    case 'bigint':
      if (v > U64_MAX || v < -U64_MAX - 1n) throw UNSUPPORTED
      return v >= 0n ? bigHead(0, v) : bigHead(1, -1n - v)
    case 'boolean':
      ensure(1)
      buf[pos++] = v ? 0xf5 : 0xf4
      return
    case 'object':
      if (v === null) { ensure(1); buf[pos++] = 0xf6; return }
      if (Array.isArray(v)) { head(4, v.length); for (const x of v) write(x); return }
      if (Object.getPrototypeOf(v) === Object.prototype) return writeMap(v as Record<string, unknown>)
  }
  throw UNSUPPORTED
}

/** A plain object as `encode` writes it: undefined fields dropped, keys shorter first, then bytewise. */
function writeMap(o: Record<string, unknown>): void {
  const keys = Object.keys(o).filter((k) => o[k] !== undefined)
  // ASCII keys (others are UNSUPPORTED when written): code unit order is byte order.
  keys.sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0))
  head(5, keys.length)
  for (const k of keys) { write(k); write(o[k]) }
}

/**
 * A scratch view whose bytes from `offset` are `encode(row)`; bytes before `offset` are the caller's to
 * fill (a hash prefix). Valid until the next call.
 */
export function rowBytesAt(row: unknown, offset: number): Uint8Array {
  pos = offset
  ensure(0)
  try {
    write(row)
  } catch (e) {
    if (e !== UNSUPPORTED) throw e
    const b = encode(row)
    pos = offset
    ensure(b.length)
    buf.set(b, offset)
    pos = offset + b.length
  }
  return buf.subarray(0, pos)
}

/** `encode(row)`, fast for the common row shapes (a fresh copy). */
export const rowBytes = (row: unknown): Uint8Array => rowBytesAt(row, 0).slice()
