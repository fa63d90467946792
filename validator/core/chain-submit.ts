// The Broadcaster's chain calls: submit an epoch's certified weights (and record the transaction), submit
// a certified set update, ask whether an epoch's weights are still missing on chain, and learn every
// epoch's transaction from the chain's WeightsSubmitted events, whoever sent it.
import type { ValidatorPower } from '../../contracts/index.ts'
import type { BroadcasterModules } from './broadcaster.ts'

type Chain = Pick<BroadcasterModules, 'chain' | 'blocks' | 'ledger' | 'metrics' | 'log' | 'chainTxKnown'>

export async function submitWeights(m: Chain, epoch: number): Promise<void> {
  const rec = await m.blocks.getEpoch(epoch)
  const result = m.ledger.evals.results.get(epoch)
  if (!m.chain || !rec?.weightSignatures || !result) return
  const r = await m.chain.submitWeights(BigInt(epoch), result.uids, result.weights, Object.values(rec.weightSignatures))
  m.metrics.chainSubmissions.inc({ result: r.status })
  if (r.status !== 'submitted') return
  await m.blocks.updateEpoch(epoch, { chainTx: r.txHash })
  m.log.info({ epoch, tx: r.txHash, gas: r.gasUsed.toString() }, 'weights submitted to chain')
  m.chainTxKnown(epoch)
}

export async function submitSetUpdate(m: Chain, epoch: number, validators: readonly ValidatorPower[], signatures: readonly string[]): Promise<void> {
  if (!m.chain) return
  const r = await m.chain.updateValidatorSet(BigInt(epoch), validators, signatures)
  m.metrics.chainSubmissions.inc({ result: `valset-${r.status}` })
  if (r.status === 'submitted') m.log.info({ epoch, validators: validators.length, tx: r.txHash }, 'validator set updated on chain')
}

/** The epoch has weights to submit and the chain does not have them yet. */
export async function weightsPending(m: Chain, epoch: number): Promise<boolean> {
  const result = m.ledger.evals.results.get(epoch)
  if (!m.chain || !result || result.uids.length === 0) return false
  return (await m.chain.weightsOf(BigInt(epoch))) === null
}

/** Chain transactions of every epoch since chain block `fromBlock`; returns the block to read from next. */
export async function learnChainTxs(m: Chain, fromBlock: number): Promise<number> {
  if (!m.chain) return fromBlock
  for (const s of await m.chain.weightSubmissions(fromBlock)) {
    const rec = await m.blocks.getEpoch(s.epoch)
    if (rec?.chainTx !== s.txHash) {
      await m.blocks.updateEpoch(s.epoch, { chainTx: s.txHash })
      m.chainTxKnown(s.epoch)
    }
    fromBlock = Math.max(fromBlock, s.blockNumber)
  }
  return fromBlock
}
