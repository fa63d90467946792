// Test chain for the governance and evidence tests: five keys (four genesis validators, one outsider),
// signed transactions with per-sender nonces, and blocks applied at explicit slots.
import { deriveKeysFromSeed } from '../../core/crypto/keys.ts'
import { proveBlsPossession } from '../../core/crypto/sign.ts'
import { toHex, utf8 } from '../../core/bytes.ts'
import { cidOfBytes } from '../../core/encoding.ts'
import { sha256 } from '../../core/hash.ts'
import { GenesisSchema, type Genesis } from '../../ledger/genesis.ts'
import { applyBlock, createGenesisLedger, ledgerStateRoot, type LedgerState } from '../../ledger/ledger.ts'
import { memberIdOf, reportCommitment, signTx, verifyTx, type SignedTx } from '../../ledger/txs.ts'
import { submissionIdOf } from '../../ledger/evaluations.ts'
import type { Block } from '../../ledger/block.ts'

export const keys = [1, 2, 3, 4, 5, 6].map((i) => deriveKeysFromSeed(new Uint8Array(64).fill(i)))
export const ids = keys.map((k) => memberIdOf(k.ed25519PublicKey))

// A 3-slot commit window at 2 s slots, 10-slot epochs (the slot counts in the tests rely on them).
const BASE_PARAMS = { epochSlots: 10, committeeSize: 4, evaluationBackstopMs: 2000, payloadFetchMs: 2000 }

/** A genesis giving `balances[i]` REP and `credits[i]` credits to key i; keys 0–3 validate with 100 REP. */
export function testGenesis(o: { balances: string[]; credits?: string[]; params?: Record<string, number | boolean> }): Genesis {
  return GenesisSchema.parse({
    networkId: 'test', genesisTime: 0, params: { ...BASE_PARAMS, ...o.params },
    balances: Object.fromEntries(o.balances.map((b, i) => [ids[i], b])),
    credits: Object.fromEntries((o.credits ?? []).map((c, i) => [ids[i], c])),
    validators: keys.slice(0, 4).map((k, i) => ({
      peerId: ids[i], ed25519PublicKey: '0x' + toHex(k.ed25519PublicKey), blsPublicKey: '0x' + toHex(k.blsPublicKey),
      blsProof: '0x' + toHex(proveBlsPossession(k.blsSecretKey)), evmAddress: k.evmAddress, stake: '100',
    })),
    challenges: [{ id: 'pow', moduleHash: '0x' + '00'.repeat(32), module: 'pow.wasm', emissionSharePpm: 1_000_000 }],
  })
}

/** Applies `txs` as the next block at `slot`, proposed by key 0. */
export function applyAt(s: LedgerState, slot: number, txs: SignedTx[]) {
  const block: Block = { height: s.height + 1, slot, prevHash: s.lastBlockHash, prevStateRoot: ledgerStateRoot(s), proposer: ids[0]!, txs }
  return applyBlock(s, block, txs.map(verifyTx))
}

/** A ledger over testGenesis with governance timings short enough for tests, and signing helpers. */
export function chain(o: { balances: string[]; credits?: string[]; params?: Record<string, number | boolean> }) {
  const genesis = testGenesis({ ...o, params: { govMinDurationSlots: 8, poolDurationSlots: 5, ...o.params } })
  const s: LedgerState = createGenesisLedger(genesis)
  const nonces = new Map<number, number>()
  /** Sign `body` as key `who` with its next nonce; returns the tx and the nonce it used. */
  const tx = (who: number, body: Record<string, unknown>): SignedTx & { nonce: number } => {
    const nonce = (nonces.get(who) ?? 0) + 1
    nonces.set(who, nonce)
    return { ...signTx(keys[who]!.ed25519Seed, keys[who]!.ed25519PublicKey, { ...body, sender: ids[who], nonce }), nonce }
  }
  /** The nonce key `who` will sign its next transaction with. */
  const nextNonce = (who: number) => (nonces.get(who) ?? 0) + 1
  const apply = (slot: number, txs: SignedTx[]) => applyAt(s, slot, txs)
  /** A chain that keeps up: an empty block at every slot after the last one, up to `slot` (pool windows count both). */
  const through = (slot: number) => { let r; while (s.lastSlot < slot) r = applyAt(s, s.lastSlot + 1, []); return r }
  const submission = (payload: string, who = 4) => {
    const bytes = utf8(payload)
    return { tx: tx(who, { type: 'Submission', challenge: 'pow', payloadCid: cidOfBytes(bytes), payloadBytes: bytes.length }), id: submissionIdOf('pow', cidOfBytes(bytes)) }
  }
  const report = (who: number, sub: string, score: number, out = 'a') =>
    ({ submission: sub, score, fuelUsed: 10n, outputHash: toHex(sha256(utf8(out))), ok: true, salt: toHex(sha256(utf8(`salt-${who}-${sub}`))) })
  const commit = (who: number, sub: string, score: number, out = 'a') =>
    tx(who, { type: 'Evaluations', commits: [{ submission: sub, commitment: reportCommitment(ids[who]!, report(who, sub, score, out)) }] })
  const reveal = (who: number, sub: string, score: number, out = 'a') => tx(who, { type: 'Evaluations', reports: [report(who, sub, score, out)] })
  return { genesis, s, tx, nextNonce, apply, through, submission, commit, reveal }
}
