// bench core: encode+hash of a 1,000-transaction block; sign/verify per scheme; BLS aggregate verify;
// RocksDB batched writes and point reads.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { report, timeIt, round } from './report.ts'
import { encode, hashValue } from '../core/encoding.ts'
import { sha256 } from '../core/hash.ts'
import { deriveKeysFromSeed } from '../core/crypto/keys.ts'
import {
  Domain, signEd25519, verifyEd25519, signBls, verifyBls, aggregateBlsSignatures, verifyBlsAggregate,
  signSecp256k1, verifySecp256k1, secp256k1PublicKey,
} from '../core/crypto/sign.ts'
import { RocksStore } from '../validator/infra/db/rocks.ts'
import { u64be } from '../core/bytes.ts'

const B = 'core'

function sampleBlock(n: number) {
  return {
    height: 1234, prevStateRoot: new Uint8Array(32).fill(7), proposer: '12D3KooWExample',
    txs: Array.from({ length: n }, (_, i) => ({
      type: 'Submission', miner: `miner-${i % 50}`, challenge: 'tsp', payloadCid: `bafkrei${i.toString(36).padStart(52, 'a')}`,
      fee: 1_000_000_000n + BigInt(i), nonce: i, signature: new Uint8Array(64).fill(i & 255),
    })),
  }
}

export async function run(): Promise<void> {
  const block = sampleBlock(1000)
  const bytes = encode(block)
  const enc = await timeIt(() => encode(block), { iterations: 5, repeats: 7 })
  report(B, 'block-encode-1000tx', { bytes: bytes.length, msPerOp: enc.msPerOp })
  const eh = await timeIt(() => hashValue(block), { iterations: 5, repeats: 7 })
  report(B, 'block-encode+hash-1000tx', { msPerOp: eh.msPerOp, opsPerSec: eh.opsPerSec })
  const h = await timeIt(() => sha256(bytes), { iterations: 50, repeats: 7 })
  report(B, 'sha256-block-bytes', { bytes: bytes.length, msPerOp: h.msPerOp, mbPerSec: round(bytes.length / 1e6 / (h.msPerOp / 1000), 1) })

  const keys = Array.from({ length: 64 }, (_, i) => deriveKeysFromSeed(new Uint8Array(64).fill(i + 1)))
  const k = keys[0]!
  const msg = { height: 1, round: 0, type: 'commit', value: new Uint8Array(32).fill(9) }

  const edSig = signEd25519(k.ed25519Seed, Domain.consensus, msg)
  report(B, 'ed25519-sign', (await timeIt(() => signEd25519(k.ed25519Seed, Domain.consensus, msg), { iterations: 200 })))
  report(B, 'ed25519-verify', (await timeIt(() => verifyEd25519(k.ed25519PublicKey, Domain.consensus, msg, edSig), { iterations: 200 })))

  const secpPub = secp256k1PublicKey(k.evmPrivateKey)
  const secpSig = signSecp256k1(k.evmPrivateKey, Domain.weights, msg)
  report(B, 'secp256k1-sign', (await timeIt(() => signSecp256k1(k.evmPrivateKey, Domain.weights, msg), { iterations: 50 })))
  report(B, 'secp256k1-verify', (await timeIt(() => verifySecp256k1(secpPub, Domain.weights, msg, secpSig), { iterations: 20 })))

  const blsSig = signBls(k.blsSecretKey, Domain.checkpoint, msg)
  let signed = 0 // each signing gets a payload of its own, as a node signs each duty's once
  report(B, 'bls-sign', (await timeIt(() => signBls(k.blsSecretKey, Domain.checkpoint, { ...msg, signed: signed++ }), { iterations: 5, repeats: 3 })))
  // bls-verify: a payload never seen before (hashed to G2 each time); -seen-payload: another signature over
  // a payload already hashed (a duty's partial signatures share theirs: core/crypto/sign.ts remembers it).
  // (16 payloads: one warm-up and 3 × 3 timed calls use 10.)
  const fresh = Array.from({ length: 16 }, (_, i) => ({ p: { ...msg, i }, s: signBls(k.blsSecretKey, Domain.checkpoint, { ...msg, i }) }))
  let next = 0
  report(B, 'bls-verify', (await timeIt(() => { const f = fresh[next++]!; return verifyBls(k.blsPublicKey, Domain.checkpoint, f.p, f.s) }, { iterations: 3, repeats: 3 })))
  report(B, 'bls-verify-seen-payload', (await timeIt(() => verifyBls(k.blsPublicKey, Domain.checkpoint, msg, blsSig), { iterations: 3, repeats: 3 })))
  for (const n of [16, 64]) {
    const sigs = keys.slice(0, n).map((x) => signBls(x.blsSecretKey, Domain.checkpoint, msg))
    const pubs = keys.slice(0, n).map((x) => x.blsPublicKey)
    const agg = aggregateBlsSignatures(sigs)
    if (!verifyBlsAggregate(pubs, Domain.checkpoint, msg, agg)) throw new Error('aggregate did not verify')
    report(B, `bls-aggregate-verify-${n}`, (await timeIt(() => verifyBlsAggregate(pubs, Domain.checkpoint, msg, agg), { iterations: 2, repeats: 3 })))
    report(B, `bls-aggregate-${n}-signatures`, (await timeIt(() => aggregateBlsSignatures(sigs), { iterations: 2, repeats: 3 })))
  }

  const dir = mkdtempSync(join(tmpdir(), 'agora-bench-'))
  const db = await RocksStore.open(dir)
  try {
    const N = 100_000
    const value = new Uint8Array(100).fill(1)
    const t0 = performance.now()
    for (let i = 0; i < N; i += 1000) {
      await db.batch(Array.from({ length: 1000 }, (_, j) => ({ type: 'put' as const, key: u64be(i + j), value })))
    }
    const writeMs = performance.now() - t0
    report(B, 'rocksdb-batched-writes', { entries: N, batchSize: 1000, valueBytes: 100, totalMs: round(writeMs, 1), writesPerSec: Math.round(N / (writeMs / 1000)) })
    const ts = performance.now()
    for (let i = 0; i < 100; i++) await db.batch([{ type: 'put', key: u64be(N + i), value }], { sync: true })
    report(B, 'rocksdb-sync-write', { msPerOp: round((performance.now() - ts) / 100, 3) })
    let x = 12345
    const reads = await timeIt(async () => { x = (x * 1103515245 + 12345) % N; await db.get(u64be(x)) }, { iterations: 10_000, repeats: 3 })
    report(B, 'rocksdb-point-read', { msPerOp: reads.msPerOp, readsPerSec: Math.round(reads.opsPerSec) })
  } finally {
    await db.close()
    rmSync(dir, { recursive: true, force: true })
  }
}
