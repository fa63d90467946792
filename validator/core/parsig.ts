// ParSigDB + SigAgg: partial signatures of the validators over one value per (kind, epoch) — the epoch's
// weight matrix (EVM signatures for the chain), its checkpoint (BLS, aggregated) and, when the set changes,
// the chain's set update (EVM) — gathered from our own Signer and from peers (ParSigEx over /agora/1/parsig)
// until signers hold > 2/3 of the power of the set that certifies that epoch.
import { z } from 'zod'
import { PARSIG_EPOCHS_AHEAD, PARSIG_EPOCHS_BEHIND } from './limits.ts'
import { GossipRefusal, type RefusalVerdict } from './refusal.ts'

/** `valset` at epoch e: the WeightRegistry update to the set of e + 1, signed by the outgoing set of e. */
export type ParSigKind = 'weights' | 'checkpoint' | 'valset'

/** What goes over /agora/1/parsig (inside a signed gossip envelope naming the sender). */
export const ParSigMessageSchema = z.strictObject({
  kind: z.enum(['weights', 'checkpoint', 'valset']),
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
  /** Power of a signer in the set that certifies `kind` at `epoch` (0 when not a member or the set is unknown). */
  powerOf(kind: ParSigKind, signer: string, epoch: number): bigint
  totalPower(kind: ParSigKind, epoch: number): bigint
  /** Signature check for a partial signature by `signer` over `valueHash` (keys of the set of `epoch`). */
  verify(kind: ParSigKind, signer: string, valueHash: string, signature: string, epoch: number): boolean
  /**
   * The epoch our ledger is in: only partial signatures for epochs near it are taken, and older ones are
   * dropped, so a far-future epoch can never push out the current one. Absent: every epoch is near.
   */
  currentEpoch?(): number
  /** A signer's two verified signatures over different values for one (kind, epoch): equivocation evidence. */
  onConflict?(c: ParSigConflict): void
}

/** Two signatures (hex, as received) by `signer` for one (kind, epoch) over different values: the first kept, the second refused. */
export interface ParSigConflict {
  readonly kind: ParSigKind
  readonly epoch: number
  readonly signer: string
  readonly first: { readonly valueHash: string; readonly signature: string }
  readonly second: { readonly valueHash: string; readonly signature: string }
}

export const ParSigErrorCode = {
  /** Not a partial signature of our schema. */
  MALFORMED: 'PARSIG_MALFORMED',
  NOT_A_SIGNER: 'PARSIG_NOT_A_SIGNER',
  BAD_SIGNATURE: 'PARSIG_BAD_SIGNATURE',
  /** More than PARSIG_EPOCHS_AHEAD ahead of our epoch: we may be behind, so not the sender's fault. */
  EPOCH_AHEAD: 'PARSIG_EPOCH_AHEAD',
  /** We do not know yet which set certifies that epoch (we are behind): not the sender's fault. */
  SET_UNKNOWN: 'PARSIG_SET_UNKNOWN',
  /** More than PARSIG_EPOCHS_BEHIND behind our epoch: certified long ago or never. */
  EPOCH_PASSED: 'PARSIG_EPOCH_PASSED',
  /** This signer already signed another value for (kind, epoch): the first one counts. */
  CONFLICTING: 'PARSIG_CONFLICTING',
  DUPLICATE: 'PARSIG_DUPLICATE',
} as const
export type ParSigErrorCode = (typeof ParSigErrorCode)[keyof typeof ParSigErrorCode]

/** A refused partial signature with its gossip verdict (docs/PROTOCOL.md §3.4). */
export class ParSigError extends GossipRefusal<ParSigErrorCode> {
  constructor(code: ParSigErrorCode, message: string, verdict: RefusalVerdict) {
    super(code, message, verdict)
    this.name = 'ParSigError'
  }
}

/** A second verified value from `signer` for (kind, epoch): reported as a conflict, refused. */
function conflicting(signer: string, msg: ParSigMessage, first: ParSigConflict['first'], report: ParSigModules['onConflict']): ParSigError {
  report?.({ kind: msg.kind, epoch: msg.epoch, signer, first, second: { valueHash: msg.valueHash.replace(/^0x/, ''), signature: msg.signature } })
  return new ParSigError(ParSigErrorCode.CONFLICTING, `${signer} signed another ${msg.kind} value for epoch ${msg.epoch}`, 'reject')
}

/** Refusals that only our own position decides (an epoch too far ahead, long past, or whose set we lack): IGNORE. */
function epochRefusal(m: ParSigModules, msg: ParSigMessage): ParSigError | undefined {
  const now = m.currentEpoch?.()
  if (now !== undefined && msg.epoch > now + PARSIG_EPOCHS_AHEAD) {
    return new ParSigError(ParSigErrorCode.EPOCH_AHEAD, `epoch ${msg.epoch} is ahead of ours (${now})`, 'ignore')
  }
  if (now !== undefined && msg.epoch < now - PARSIG_EPOCHS_BEHIND) {
    return new ParSigError(ParSigErrorCode.EPOCH_PASSED, `epoch ${msg.epoch} is long past (ours ${now})`, 'ignore')
  }
  if (m.totalPower(msg.kind, msg.epoch) === 0n) return new ParSigError(ParSigErrorCode.SET_UNKNOWN, `the set certifying epoch ${msg.epoch} is not known here yet`, 'ignore')
  return undefined
}

/** Recently verified signatures remembered between the gossip check and the add. */
const VERIFIED_KEPT = 1024

export interface ParSigDb {
  /** Why `msg` from `signer` would not be taken (the gossip validator's answer), or undefined. */
  check(signer: string, msg: ParSigMessage): ParSigError | undefined
  /** Add a partial signature (checked on entry); returns the aggregate the first time a quorum is reached. */
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
    for (const s of bySigner.keys()) power += m.powerOf(kind, s, epoch)
    if (3n * power <= 2n * m.totalPower(kind, epoch)) return undefined
    const agg: Aggregate = { kind, epoch, valueHash: want, power, signatures: [...bySigner.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)) }
    done.set(k, agg)
    return agg
  }

  /** Forget epochs that fell behind the window (kept values are bounded by signers × kinds × window). */
  function prune(): void {
    const now = m.currentEpoch?.()
    if (now === undefined) return
    for (const k of sigs.keys()) if (Number(k.split('/')[1]) < now - PARSIG_EPOCHS_BEHIND) sigs.delete(k)
    for (const k of done.keys()) if (Number(k.split('/')[1]) < now - PARSIG_EPOCHS_BEHIND) { done.delete(k); expected.delete(k) }
  }

  const verifiedSigs = new Set<string>()
  const signedBy = (k: string, signer: string): string | undefined => {
    for (const [value, bySigner] of sigs.get(k) ?? []) if (bySigner.has(signer)) return value
    return undefined
  }

  function check(signer: string, msg: ParSigMessage): ParSigError | undefined {
    const outside = epochRefusal(m, msg)
    if (outside) return outside
    if (m.powerOf(msg.kind, signer, msg.epoch) === 0n) return new ParSigError(ParSigErrorCode.NOT_A_SIGNER, `${signer} does not certify ${msg.kind}`, 'reject')
    const valueHash = norm(msg.valueHash)
    const prior = signedBy(key(msg.kind, msg.epoch), signer)
    if (prior === valueHash) return new ParSigError(ParSigErrorCode.DUPLICATE, 'already have this signature', 'ignore')
    const vk = `${msg.kind}/${msg.epoch}/${signer}/${valueHash}/${msg.signature}`
    if (!verifiedSigs.has(vk)) {
      if (!m.verify(msg.kind, signer, valueHash, msg.signature, msg.epoch)) return new ParSigError(ParSigErrorCode.BAD_SIGNATURE, `signature of ${signer} does not verify`, 'reject')
      // The gossip validator checks, then delivery adds: verify once (BLS checks cost milliseconds).
      verifiedSigs.add(vk)
      if (verifiedSigs.size > VERIFIED_KEPT) verifiedSigs.delete(verifiedSigs.values().next().value!)
    }
    // Both verify: the signer equivocated, and whoever slashes it (ledger/evidence.ts) needs both signatures.
    if (prior !== undefined) return conflicting(signer, msg, { valueHash: prior, signature: sigs.get(key(msg.kind, msg.epoch))!.get(prior)!.get(signer)! }, m.onConflict)
    return undefined
  }

  return {
    check,
    add(signer, msg) {
      if (check(signer, msg)) return undefined
      const valueHash = norm(msg.valueHash)
      const k = key(msg.kind, msg.epoch)
      let byValue = sigs.get(k)
      if (!byValue) { byValue = new Map(); sigs.set(k, byValue); prune() }
      let bySigner = byValue.get(valueHash)
      if (!bySigner) { bySigner = new Map(); byValue.set(valueHash, bySigner) }
      bySigner.set(signer, msg.signature)
      return tryAggregate(msg.kind, msg.epoch)
    },
    expect(kind, epoch, valueHash) {
      expected.set(key(kind, epoch), norm(valueHash))
      return tryAggregate(kind, epoch)
    },
    aggregate: (kind, epoch) => done.get(key(kind, epoch)),
  }
}
