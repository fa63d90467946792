// Demo miners for a devnet: each submits real payloads to the bundled challenges through a node's GraphQL
// API (tours, nonces and sorter programs of different quality, and some wrong payloads), signed with its
// own key. Work is computed for the current epoch's instance (its seed comes from the log), never precomputed.
import { deriveNodeKeys } from '../../core/crypto/keys.ts'
import { cidOfBytes } from '../../core/encoding.ts'
import { errorMessage } from '../../core/errors.ts'
import { signTransaction, graphqlRequest } from '../../validator/api/client.ts'
import { demoPayload, sorterPayload, type SorterProgram } from '../../challenges/payloads.ts'
import { fromHex } from '../../core/bytes.ts'
import { challengeInstanceSeed } from '../../ledger/evaluations.ts'

export interface MinerOptions {
  readonly mnemonic: string
  readonly index: number
  /** GraphQL endpoints to spread submissions over (the miner uses the first that answers). */
  readonly apiUrls: () => string[]
  readonly challenges: readonly string[]
  readonly intervalMs: number
  readonly onResult?: (r: { ok: boolean; challenge: string; kind: string; error?: string }) => void
}

const SUBMIT = `mutation($tx: SignedTxInput!, $payload: String) { submit(tx: $tx, payload: $payload) { txId } }`
const EPOCH = `{ node { epoch epochSeed } }`

/** Sorter programs a miner sends (fast, slow, wrong): compiled once per miner (wabt). */
const SORTER_KINDS: readonly SorterProgram[] = ['shell', 'insertion', 'identity']
type SorterPrograms = ReadonlyMap<SorterProgram, Uint8Array>

/** Payload variants per challenge, cycled by each miner (index-shifted so miners differ), for one epoch's instance. */
function payloadFor(challenge: string, round: number, miner: number, epochSeed: string, sorter: SorterPrograms): { kind: string; bytes: Uint8Array } | undefined {
  if (challenge === 'sorter') {
    // A program sorts whatever instance it is given; a custom section names miner and round, so each is another payload.
    const kind = SORTER_KINDS[(round + miner) % SORTER_KINDS.length]!
    const program = sorter.get(kind)
    return program && { kind, bytes: withCustomSection(program, `m${miner}r${round}`) }
  }
  return demoPayload(challenge, round, miner, fromHex(challengeInstanceSeed(epochSeed, challenge)))
}

/** The module with a trailing custom section named `name` (WASM ignores it; the bytes, so the cid, differ). */
function withCustomSection(wasm: Uint8Array, name: string): Uint8Array {
  const n = new TextEncoder().encode(name) // short: one-byte LEB128 lengths
  return new Uint8Array([...wasm, 0, n.length + 1, n.length, ...n])
}

export function startMiner(o: MinerOptions): { stop(): Promise<void> } {
  let stopped = false
  let round = 0
  const loop = (async () => {
    const keys = await deriveNodeKeys(o.mnemonic)
    const sorter: SorterPrograms = new Map(o.challenges.includes('sorter') ? await Promise.all(SORTER_KINDS.map(async (k) => [k, await sorterPayload(k)] as const)) : [])
    while (!stopped) {
      for (const challenge of o.challenges) {
        const urls = o.apiUrls()
        const url = urls[(round + o.index) % Math.max(1, urls.length)]
        if (!url || stopped) continue
        // The instance of the epoch the node is in: the submission names it (refused in any other epoch).
        const at = await graphqlRequest<{ node: { epoch: number; epochSeed: string } }>(url, EPOCH).catch(() => undefined)
        if (!at?.data) continue
        const { epoch, epochSeed } = at.data.node
        const p = payloadFor(challenge, round, o.index, epochSeed, sorter)
        if (!p) continue
        const body = { type: 'Submission', sender: keys.peerId, nonce: Date.now() * 10 + (round % 10), challenge, epoch, payloadCid: cidOfBytes(p.bytes), payloadBytes: p.bytes.length }
        const tx = signTransaction(keys.ed25519Seed, body)
        try {
          const r = await graphqlRequest<{ submit: { txId: string } }>(url, SUBMIT, { tx, payload: Buffer.from(p.bytes).toString('base64') })
          const err = r.errors?.[0]
          o.onResult?.({ ok: !err && !!r.data?.submit.txId, challenge, kind: p.kind, error: err ? `${err.extensions?.code ?? ''} ${err.message}` : undefined })
        } catch (e) {
          o.onResult?.({ ok: false, challenge, kind: p.kind, error: errorMessage(e) })
        }
      }
      round++
      await new Promise((r) => setTimeout(r, o.intervalMs))
    }
  })()
  return { async stop() { stopped = true; await loop.catch(() => {}) } }
}
