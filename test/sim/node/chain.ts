// The simulated chain: the weight registry in memory, checking a submission as the contract does — every
// signature recovers to a distinct member of the validator set, and the signers hold strictly more than
// 2/3 of the power — and storing each epoch's matrix once. Every node gets its own client (its sender).
import { weightsDigest, recoverSigner, type ChainClient } from '../../../contracts/index.ts'

export interface ChainValidator { readonly address: string; readonly power: bigint }

export class SimChain {
  readonly chainId = 31337n
  readonly address = '0x00000000000000000000000000000000000a6042'
  readonly epochs = new Map<number, { uids: number[]; weights: number[]; sender: string }>()
  readonly refused: string[] = []
  submissions = 0

  constructor(readonly validators: readonly ChainValidator[]) {}

  digest(epoch: bigint, uids: readonly number[], weights: readonly number[]): string {
    return weightsDigest({ chainId: this.chainId, contract: this.address, epoch, uids, weights })
  }

  /** Returns undefined when stored (or already stored), else the revert reason. */
  submit(sender: string, epoch: number, uids: readonly number[], weights: readonly number[], sigs: readonly string[]): string | undefined {
    this.submissions++
    if (this.epochs.has(epoch)) return undefined
    if (uids.length !== weights.length) return 'LengthMismatch'
    const digest = this.digest(BigInt(epoch), uids, weights)
    const total = this.validators.reduce((t, v) => t + v.power, 0n)
    const seen = new Set<string>()
    let signed = 0n
    for (const s of sigs) {
      const who = recoverSigner(digest, s)?.toLowerCase()
      const v = this.validators.find((x) => x.address.toLowerCase() === who)
      if (!who) return 'InvalidSignature'
      if (!v) return `NotValidator(${who})`
      if (seen.has(who)) return `DuplicateSigner(${who})`
      seen.add(who)
      signed += v.power
    }
    if (3n * signed <= 2n * total) return `InsufficientPower(${signed}, ${total})`
    this.epochs.set(epoch, { uids: [...uids], weights: [...weights], sender })
    return undefined
  }

  client(sender: string): ChainClient {
    const chain = this
    const client = {
      address: chain.address,
      sender,
      chainId: async () => chain.chainId,
      weightsDigest: async (epoch: bigint, uids: readonly number[], weights: readonly number[]) => chain.digest(epoch, uids, weights),
      async submitWeights(epoch: bigint, uids: readonly number[], weights: readonly number[], signatures: readonly string[]) {
        if (chain.epochs.has(Number(epoch))) return { status: 'already-on-chain' as const }
        const why = chain.submit(sender, Number(epoch), uids, weights, signatures)
        if (why) { chain.refused.push(`epoch ${epoch}: ${why}`); throw new Error(`reverted: ${why}`) }
        return { status: 'submitted' as const, txHash: `0x${epoch.toString(16).padStart(64, '0')}`, blockNumber: chain.submissions, gasUsed: 0n }
      },
      weightsOf: async (epoch: bigint) => { const e = chain.epochs.get(Number(epoch)); return e ? { uids: e.uids, weights: e.weights } : null },
      lastEpoch: async () => { const ks = [...chain.epochs.keys()]; return ks.length ? BigInt(Math.max(...ks)) : null },
      validatorSet: async () => ({ epoch: 0n, totalPower: chain.validators.reduce((t, v) => t + v.power, 0n), validators: chain.validators.map((v) => ({ address: v.address, power: v.power })) }),
      validatorSetUpdateDigest: async () => { throw new Error('validator set updates are not simulated') },
      updateValidatorSet: async () => { throw new Error('validator set updates are not simulated') },
      weightSubmissions: async () => [...chain.epochs.keys()].sort((a, b) => a - b).map((e) => ({ epoch: e, txHash: `0x${e.toString(16).padStart(64, '0')}`, blockNumber: 0 })),
      close() {},
    }
    return client as unknown as ChainClient
  }
}
