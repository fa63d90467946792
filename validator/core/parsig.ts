// ParSigDB + SigAgg: partial signatures of the validators over one value per (kind, epoch) — the epoch's
// weight matrix (EVM signatures for the chain) and its checkpoint (BLS, aggregated) — gathered from our
// own Signer and from peers (ParSigEx over /agora/1/parsig) until signers hold > 2/3 of the power.
import { z } from 'zod'

export type ParSigKind = 'weights' | 'checkpoint'

/** What goes over /agora/1/parsig (inside a signed gossip envelope naming the sender). */
export const ParSigMessageSchema = z.strictObject({
  kind: z.enum(['weights', 'checkpoint']),
  epoch: z.number().int().nonnegative(),
  /** Hex hash of the signed value (the EIP-712 digest, or the checkpoint header hash). */
  valueHash: z.string().regex(/^(0x)?[0-9a-f]{64}$/),
  /** 0x-hex signature: 65-byte ECDSA for weights, 96-byte BLS for checkpoints. */
  signature: z.string().regex(/^0x[0-9a-f]+$/).max(2 + 2 * 96),
})
export type ParSigMessage = z.infer<typeof ParSigMessageSchema>

export interface Aggregate {
  readonly kind: ParSigKind
  readonly epoch: number
  readonly valueHash: string
  /** signer member id → signature, sorted by signer. */
  readonly signatures: readonly (readonly [string, string])[]
  readonly power: bigint
}

export interface ParSigModules {
  /** Power of a signer in the set that certifies `kind` (0 when not a member). */
  powerOf(kind: ParSigKind, signer: string): bigint
  totalPower(kind: ParSigKind): bigint
  /** Signature check for a partial signature by `signer` over `valueHash`. */
  verify(kind: ParSigKind, signer: string, valueHash: string, signature: string): boolean
}

const MAX_EPOCHS_KEPT = 16

export interface ParSigDb {
  /** Add a verified-on-entry partial signature; returns the aggregate the first time a quorum is reached. */
  add(signer: string, msg: ParSigMessage): Aggregate | undefined
  /** The value we agree with for (kind, epoch): only its signatures count towards our aggregate. */
  expect(kind: ParSigKind, epoch: number, valueHash: string): Aggregate | undefined
  aggregate(kind: ParSigKind, epoch: number): Aggregate | undefined
}

export function createParSigDb(m: ParSigModules): ParSigDb {
  const sigs = new Map<string, Map<string, Map<string, string>>>() // `${kind}/${epoch}` → valueHash → signer → sig
  const expected = new Map<string, string>()
  const done = new Map<string, Aggregate>()
  const key = (kind: ParSigKind, epoch: number) => `${kind}/${epoch}`
  const norm = (h: string) => h.replace(/^0x/, '')

  function tryAggregate(kind: ParSigKind, epoch: number): Aggregate | undefined {
    const k = key(kind, epoch)
    if (done.has(k)) return undefined
    const want = expected.get(k)
    if (!want) return undefined
    const bySigner = sigs.get(k)?.get(want)
    if (!bySigner) return undefined
    let power = 0n
    for (const s of bySigner.keys()) power += m.powerOf(kind, s)
    if (3n * power <= 2n * m.totalPower(kind)) return undefined
    const agg: Aggregate = { kind, epoch, valueHash: want, power, signatures: [...bySigner.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)) }
    done.set(k, agg)
    return agg
  }

  function prune(): void {
    const epochs = [...new Set([...sigs.keys()].map((k) => Number(k.split('/')[1])))].sort((a, b) => b - a)
    const keep = new Set(epochs.slice(0, MAX_EPOCHS_KEPT))
    for (const k of sigs.keys()) if (!keep.has(Number(k.split('/')[1]))) sigs.delete(k)
  }

  return {
    add(signer, msg) {
      if (m.powerOf(msg.kind, signer) === 0n) return undefined
      const valueHash = norm(msg.valueHash)
      if (!m.verify(msg.kind, signer, valueHash, msg.signature)) return undefined
      const k = key(msg.kind, msg.epoch)
      let byValue = sigs.get(k)
      if (!byValue) { byValue = new Map(); sigs.set(k, byValue); prune() }
      let bySigner = byValue.get(valueHash)
      if (!bySigner) { bySigner = new Map(); byValue.set(valueHash, bySigner) }
      if (!bySigner.has(signer)) bySigner.set(signer, msg.signature)
      return tryAggregate(msg.kind, msg.epoch)
    },
    expect(kind, epoch, valueHash) {
      expected.set(key(kind, epoch), norm(valueHash))
      return tryAggregate(kind, epoch)
    },
    aggregate: (kind, epoch) => done.get(key(kind, epoch)),
  }
}
