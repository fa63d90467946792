// Proof-of-work challenge: the miner submits a nonce (1..64 bytes); the challenge hashes
// SHA-256(seed ‖ nonce) and scores the number of leading zero bits, TARGET_BITS or more = full score.
// Output: score u64 | zero bits u32 | status u8 | hash (32 bytes).
import { readInput, readSeed, writeResult, putU32 } from "../../sdk/assembly/index"

const TARGET_BITS: u64 = 32
const MAX_NONCE: i32 = 64

const K: StaticArray<u32> = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]

/** SHA-256 of `msg` (FIPS 180-4), big-endian digest. */
export function sha256(msg: Uint8Array): Uint8Array {
  const bitLen = <u64>msg.length * 8
  const padded = ((msg.length + 9 + 63) / 64) * 64
  const buf = new Uint8Array(padded)
  buf.set(msg)
  buf[msg.length] = 0x80
  for (let i = 0; i < 8; i++) buf[padded - 1 - i] = <u8>(bitLen >> (8 * i))
  const h = new StaticArray<u32>(8)
  h[0] = 0x6a09e667; h[1] = 0xbb67ae85; h[2] = 0x3c6ef372; h[3] = 0xa54ff53a
  h[4] = 0x510e527f; h[5] = 0x9b05688c; h[6] = 0x1f83d9ab; h[7] = 0x5be0cd19
  const w = new StaticArray<u32>(64)
  for (let off = 0; off < padded; off += 64) {
    for (let t = 0; t < 16; t++) {
      const p = off + 4 * t
      w[t] = (<u32>buf[p] << 24) | (<u32>buf[p + 1] << 16) | (<u32>buf[p + 2] << 8) | <u32>buf[p + 3]
    }
    for (let t = 16; t < 64; t++) {
      const a = w[t - 15]
      const b = w[t - 2]
      const s0 = rotr(a, 7) ^ rotr(a, 18) ^ (a >>> 3)
      const s1 = rotr(b, 17) ^ rotr(b, 19) ^ (b >>> 10)
      w[t] = w[t - 16] + s0 + w[t - 7] + s1
    }
    let a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7]
    for (let t = 0; t < 64; t++) {
      const t1 = hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[t] + w[t]
      const t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))
      hh = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh
  }
  const out = new Uint8Array(32)
  for (let i = 0; i < 8; i++) {
    out[4 * i] = <u8>(h[i] >>> 24); out[4 * i + 1] = <u8>(h[i] >>> 16)
    out[4 * i + 2] = <u8>(h[i] >>> 8); out[4 * i + 3] = <u8>h[i]
  }
  return out
}

function leadingZeroBits(h: Uint8Array): u32 {
  let bits: u32 = 0
  for (let i = 0; i < h.length; i++) {
    if (h[i] == 0) { bits += 8; continue }
    return bits + <u32>clz<u32>(<u32>h[i]) - 24
  }
  return bits
}

function finish(score: u64, bits: u32, status: u8, hash: Uint8Array): i32 {
  const detail = new Uint8Array(37)
  putU32(detail, 0, bits)
  detail[4] = status
  detail.set(hash, 5)
  writeResult(score, detail)
  return 0
}

export function evaluate(): i32 {
  const seed = readSeed()
  const nonce = readInput()
  if (nonce.length < 1 || nonce.length > MAX_NONCE) return finish(0, 0, 1, new Uint8Array(32))
  const msg = new Uint8Array(32 + nonce.length)
  msg.set(seed)
  msg.set(nonce, 32)
  const hash = sha256(msg)
  const bits = leadingZeroBits(hash)
  const capped: u64 = <u64>bits > TARGET_BITS ? TARGET_BITS : <u64>bits
  return finish(capped * 1_000_000 / TARGET_BITS, bits, 0, hash)
}
