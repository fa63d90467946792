// Slashing protection for consensus: what this node signed, persisted *before* it is sent, so a restart
// can never sign a different value for the same (height, round, type). Also keeps the prepared state so
// a restarted node still reports (and re-proposes) what it prepared. The node backs this with RocksDB.
import { equalBytes, u64be } from '../../core/bytes.ts'
import { encode } from '../../core/encoding.ts'
import { taggedHash } from '../../core/hash.ts'
import { MsgType, type PreparedState, type Vote, type VoteType } from './types.ts'

export interface ResumeState<V> {
  /** Highest round this node signed anything in. */
  readonly round: number
  readonly prepared?: PreparedState<V>
}

export interface SignerStore<V> {
  /**
   * Record that we are about to sign `valueHash` for (height, round, type). Resolves true when it is
   * new or the same value as before, false (refused) when a different value was already signed.
   * Must be durable when it resolves.
   */
  recordSigned(height: number, round: number, type: VoteType, valueHash: Uint8Array): Promise<boolean>
  /** Persist the prepared state before the COMMIT that follows it is signed. */
  savePrepared(height: number, prepared: PreparedState<V>): Promise<void>
  /** What to resume an instance from after a restart (undefined: never signed at this height). */
  loadResume(height: number): Promise<ResumeState<V> | undefined>
}

/** The key a vote is recorded under: its value hash, or for a ROUND_CHANGE a hash of its prepared claim. */
export function signedValueKey(vote: Vote): Uint8Array {
  if (vote.type !== MsgType.ROUND_CHANGE) return vote.valueHash
  return taggedHash('agora/v1/consensus/round-change', encode([vote.preparedRound, vote.preparedValueHash]))
}

export function memorySignerStore<V>(): SignerStore<V> & { readonly size: number } {
  const signed = new Map<string, Uint8Array>()
  const highest = new Map<number, number>()
  const prepared = new Map<number, PreparedState<V>>()
  return {
    async recordSigned(height, round, type, valueHash) {
      const key = `${height}/${round}/${type}`
      const prev = signed.get(key)
      if (prev) return equalBytes(prev, valueHash)
      signed.set(key, valueHash)
      highest.set(height, Math.max(round, highest.get(height) ?? 0))
      return true
    },
    async savePrepared(height, p) {
      const prev = prepared.get(height)
      if (!prev || prev.round <= p.round) prepared.set(height, p)
    },
    async loadResume(height) {
      const round = highest.get(height)
      if (round === undefined) return undefined
      const p = prepared.get(height)
      return p ? { round, prepared: p } : { round }
    },
    get size() { return signed.size },
  }
}

/** Ordered key for a RocksDB-backed store: height and round big-endian, then the vote type. */
export const signerRecordKey = (height: number, round: number, type: VoteType): Uint8Array =>
  new Uint8Array([...u64be(height), ...u64be(round, 4), type])
