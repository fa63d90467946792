// Low-level WebAssembly binary reading and writing: LEB128 integers, vectors, names. A Reader throws
// MODULE_INVALID on truncated or malformed input, so every parser built on it fails cleanly.
import { AgoraError } from '../../../../core/errors.ts'

export const invalid = (message: string): AgoraError => new AgoraError('MODULE_INVALID', message)

export class Reader {
  pos: number
  constructor(readonly bytes: Uint8Array, start = 0, readonly end = bytes.length) { this.pos = start }

  get done(): boolean { return this.pos >= this.end }

  u8(): number {
    if (this.pos >= this.end) throw invalid(`unexpected end of module at byte ${this.pos}`)
    return this.bytes[this.pos++]!
  }

  /** Unsigned LEB128 up to 32 bits. */
  u32(): number {
    let result = 0
    let shift = 0
    for (let i = 0; i < 5; i++) {
      const b = this.u8()
      result += (b & 0x7f) * 2 ** shift
      if ((b & 0x80) === 0) {
        if (result > 0xffffffff) throw invalid(`u32 out of range at byte ${this.pos}`)
        return result
      }
      shift += 7
    }
    throw invalid(`u32 LEB too long at byte ${this.pos}`)
  }

  /** Skips a signed LEB128 of at most `maxBytes` bytes (s32: 5, s33: 5, s64: 10). */
  skipSleb(maxBytes: number): void {
    for (let i = 0; i < maxBytes; i++) if ((this.u8() & 0x80) === 0) return
    throw invalid(`signed LEB too long at byte ${this.pos}`)
  }

  /** Signed LEB128 as a bigint (for s33 block types and i64 constants we need the value of). */
  sleb(maxBytes: number): bigint {
    let result = 0n
    let shift = 0n
    for (let i = 0; i < maxBytes; i++) {
      const b = this.u8()
      result |= BigInt(b & 0x7f) << shift
      shift += 7n
      if ((b & 0x80) === 0) {
        if (b & 0x40) result -= 1n << shift
        return result
      }
    }
    throw invalid(`signed LEB too long at byte ${this.pos}`)
  }

  bytesN(n: number): Uint8Array {
    if (this.pos + n > this.end) throw invalid(`unexpected end of module at byte ${this.pos} (need ${n} bytes)`)
    const out = this.bytes.subarray(this.pos, this.pos + n)
    this.pos += n
    return out
  }

  name(): string {
    return new TextDecoder('utf-8', { fatal: true }).decode(this.bytesN(this.u32()))
  }
}

export function uleb(n: number): number[] {
  const out: number[] = []
  do {
    let b = n % 128
    n = Math.floor(n / 128)
    if (n !== 0) b |= 0x80
    out.push(b)
  } while (n !== 0)
  return out
}

export function sleb(v: bigint): number[] {
  const out: number[] = []
  for (;;) {
    const b = Number(v & 0x7fn)
    v >>= 7n
    const done = (v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0)
    out.push(done ? b : b | 0x80)
    if (done) return out
  }
}

export function encodeName(s: string): number[] {
  const b = new TextEncoder().encode(s)
  return [...uleb(b.length), ...b]
}

/** A growable byte buffer for assembling sections and bodies. */
export class Writer {
  private buf = new Uint8Array(1024)
  length = 0
  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < this.length + n) size *= 2
    const next = new Uint8Array(size)
    next.set(this.buf.subarray(0, this.length))
    this.buf = next
  }
  byte(b: number): void { this.ensure(1); this.buf[this.length++] = b }
  push(bytes: ArrayLike<number>): void {
    this.ensure(bytes.length)
    this.buf.set(bytes, this.length)
    this.length += bytes.length
  }
  u32(n: number): void { this.push(uleb(n)) }
  finish(): Uint8Array { return this.buf.slice(0, this.length) }
}
