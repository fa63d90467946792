// Who may sign each epoch duty, with what power, and the check of a partial signature: members of the
// set that certifies the epoch (from the hand-over chain); EVM signatures for the chain's duties (weights,
// valset), BLS for the checkpoint.
import { Domain, verifyBls } from '../../core/crypto/sign.ts'
import { fromHex } from '../../core/bytes.ts'
import { recoverSigner } from '../../contracts/index.ts'
import { checkpointSigningPayload } from './checkpoint.ts'
import type { HandoverChain } from './handover.ts'
import type { ParSigModules } from './parsig.ts'

export function certifyingSetParSig(handover: HandoverChain, currentEpoch: () => number): ParSigModules {
  const certifier = (epoch: number, signer: string) => handover.setFor(epoch)?.members.find((x) => x.member === signer)
  return {
    currentEpoch,
    powerOf: (_kind, s, epoch) => certifier(epoch, s)?.power ?? 0n,
    totalPower: (_kind, epoch) => handover.setFor(epoch)?.total ?? 0n,
    verify(kind, signer, valueHash, signature, epoch) {
      const c = certifier(epoch, signer)
      if (!c) return false
      if (kind === 'weights' || kind === 'valset') return recoverSigner('0x' + valueHash, signature)?.toLowerCase() === c.evmAddress
      return verifyBls(fromHex(c.blsPublicKey), Domain.checkpoint, checkpointSigningPayload(valueHash), fromHex(signature))
    },
  }
}
