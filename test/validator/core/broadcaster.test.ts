// The broadcaster puts what the sets certified on chain in chain order: the outgoing set's last weights,
// then the update to the next set, then the new set's weights — whatever order the certificates arrive
// in; and it learns every epoch's chain transaction from the chain's events, whoever sent it.
import { describe, expect, it } from 'vitest'
import { createBroadcaster } from '../../../validator/core/broadcaster.ts'
import { Schedule } from '../../../validator/core/scheduler.ts'
import { BlockStore } from '../../../validator/infra/db/block-store.ts'
import { MemoryStore } from '../../../validator/infra/db/memory.ts'
import { silentLogger } from '../../../validator/infra/log.ts'
import type { Metrics } from '../../../validator/infra/metrics/metrics.ts'
import type { ChainClient } from '../../../contracts/index.ts'
import type { LedgerState } from '../../../ledger/ledger.ts'

const noop = () => undefined
const metrics = new Proxy({}, { get: () => ({ inc: noop, set: noop, observe: noop }) }) as unknown as Metrics

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  for (const end = Date.now() + ms; !(await cond());) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('broadcaster', () => {
  it('sends weights(e), the set update for e + 1, weights(e + 1) in that order and learns chain txs from events', async () => {
    const sent: string[] = []
    const onChain = new Map<number, string>()
    const chain = {
      submitWeights: async (e: bigint) => { sent.push(`weights ${e}`); onChain.set(Number(e), `0x${e}`); return { status: 'submitted', txHash: `0x${e}`, blockNumber: 1, gasUsed: 0n } },
      updateValidatorSet: async (e: bigint) => { sent.push(`set ${e}`); return { status: 'submitted', txHash: '0xs', blockNumber: 1, gasUsed: 0n } },
      weightsOf: async (e: bigint) => (onChain.has(Number(e)) ? { uids: [0], weights: [1] } : null),
      weightSubmissions: async () => [...onChain].map(([epoch, txHash]) => ({ epoch, txHash, blockNumber: 1 })).concat([{ epoch: 9, txHash: '0xother', blockNumber: 2 }]),
    } as unknown as ChainClient
    const blocks = new BlockStore(new MemoryStore())
    for (const e of [1, 2]) await blocks.updateEpoch(e, { weightSignatures: { a: '0x' } })
    const ledger = { evals: { results: new Map([1, 2].map((e) => [e, { epoch: e, uids: [0], weights: [1], miners: ['m'], weightsHash: '' }])) } } as unknown as LedgerState
    const known: number[] = []
    const b = createBroadcaster({
      chain, blocks, ledger, schedule: new Schedule(0, 1000, 10), clock: { now: () => 1_000_000, setTimer: () => ({ cancel: noop }) } as never,
      metrics, log: silentLogger, self: 'me', rotation: () => ['me'], chainTxKnown: (e) => known.push(e),
    })
    // Certificates arrive out of order: the update and the new set's weights before the old set's weights.
    b.setUpdateCertified(2, [{ address: '0x' + '11'.repeat(20), power: 1n }], ['0x'])
    b.certified(2)
    b.certified(1)
    for (let i = 0; i < 20 && sent.length < 3; i++) { b.tick(); await new Promise((r) => setTimeout(r, 20)) }
    expect(sent).toEqual(['weights 1', 'set 2', 'weights 2'])
    await until('chain tx of epoch 9 learned', async () => { b.tick(); return (await blocks.getEpoch(9))?.chainTx === '0xother' })
    expect(known).toContain(9)
  })
})
