// The hand-over chain: the genesis set certifies epoch 0, each certified checkpoint hands over to the set
// it names; a certificate by a set the chain does not lead to (removed validators, an unknown epoch, a
// tampered next set) is refused with its code; an operator-trusted checkpoint starts the chain instead.
import { describe, expect, it } from 'vitest'
import { deriveKeysFromSeed } from '../../../core/crypto/keys.ts'
import { Domain, aggregateBlsSignatures, signBls } from '../../../core/crypto/sign.ts'
import { toHex } from '../../../core/bytes.ts'
import { certificationSetHash, type CertificationSet } from '../../../ledger/validator-keys.ts'
import {
  CheckpointError, CheckpointErrorCode, checkpointHeaderHash, checkpointSigningPayload, encodeCheckpointRecord, type CheckpointHeader,
} from '../../../validator/core/checkpoint.ts'
import { createHandoverChain, walkHandovers } from '../../../validator/core/handover.ts'
import { verifyCheckpointCertificate } from '../../../validator/core/checkpoint.ts'

const keys = [1, 2, 3, 4, 5, 6].map((i) => deriveKeysFromSeed(new Uint8Array(64).fill(i)))
const member = (i: number) => ({ member: `v${i}`, power: 100n, blsPublicKey: '0x' + toHex(keys[i]!.blsPublicKey), evmAddress: keys[i]!.evmAddress.toLowerCase() })
const setOf = (...is: number[]): CertificationSet => ({ members: is.map(member), total: BigInt(is.length) * 100n })
const S0 = setOf(0, 1, 2, 3)
const S1 = setOf(0, 1, 4, 5) // two genesis validators removed, two new ones in

function record(epoch: number, signers: number[], next: CertificationSet, tamperNext?: CertificationSet) {
  const header: CheckpointHeader = { networkId: 'net', epoch, height: epoch * 10 + 9, blockHash: 'b', stateRoot: 'r', stateCid: 'c', nextSetHash: certificationSetHash(next) }
  const hh = checkpointHeaderHash(header)
  const agg = aggregateBlsSignatures(signers.map((i) => signBls(keys[i]!.blsSecretKey, Domain.checkpoint, checkpointSigningPayload(hh))))
  return { rec: encodeCheckpointRecord(header, signers.map((i) => `v${i}`), agg, tamperNext ?? next), hh }
}
const codeOf = (f: () => unknown) => { try { f(); return 'accepted' } catch (e) { return e instanceof CheckpointError ? e.code : String(e) } }

describe('hand-over chain', () => {
  it('follows genesis → epoch 0 (names S1) → epoch 1 certified by S1 with both newcomers', async () => {
    const chain = createHandoverChain({ networkId: 'net', genesisSet: S0 })
    const byEpoch = new Map([[0, record(0, [0, 1, 2], S1).rec], [1, record(1, [0, 4, 5], S1).rec]])
    const last = await walkHandovers(chain, async (e) => byEpoch.get(e))
    expect(last?.decoded.header.epoch).toBe(1)
    expect(chain.setFor(1)).toEqual(S1)
    expect(chain.head).toBe(2)
  })

  it('refuses the removed validators, a minority, an unknown epoch, a foreign network and a tampered next set', () => {
    const chain = createHandoverChain({ networkId: 'net', genesisSet: S0 })
    chain.verify(record(0, [0, 1, 2], S1).rec)
    const cases: [string, () => unknown][] = [
      [CheckpointErrorCode.NOT_IN_SET, () => chain.verify(record(1, [2, 3], S1).rec)], // only the removed genesis validators
      [CheckpointErrorCode.NO_QUORUM, () => chain.verify(record(1, [4, 5], S1).rec)], // half of S1
      [CheckpointErrorCode.UNKNOWN_SET, () => chain.verify(record(7, [0, 1, 2], S1).rec)],
      [CheckpointErrorCode.NEXT_SET_MISMATCH, () => chain.verify(record(1, [0, 4, 5], S1, S0).rec)],
      [CheckpointErrorCode.WRONG_NETWORK, () => createHandoverChain({ networkId: 'other', genesisSet: S0 }).verify(record(0, [0, 1, 2], S1).rec)],
    ]
    expect(cases.map(([, f]) => codeOf(f))).toEqual(cases.map(([code]) => code))
  })

  it('starts from an operator-trusted checkpoint (matched by header hash) instead of genesis', () => {
    const chain = createHandoverChain({ networkId: 'net', genesisSet: S0 })
    const t = record(5, [0, 4, 5], S1)
    expect(codeOf(() => chain.trust(t.rec, { epoch: 5, headerHash: '00'.repeat(32) }))).toBe(CheckpointErrorCode.BAD_SIGNATURE)
    chain.trust(t.rec, { epoch: 5, headerHash: t.hh })
    expect(codeOf(() => chain.verify(record(6, [0, 1, 4], S1).rec))).toBe('accepted')
  })

  it('verifies a record seen again (DHT puts, gets, republishes) once, and a changed one again', () => {
    let checks = 0
    const chain = createHandoverChain({ networkId: 'net', genesisSet: S0, verifyCertificate: (d, set) => { checks++; verifyCheckpointCertificate(d, set) } })
    const r0 = record(0, [0, 1, 2], S1).rec
    for (let i = 0; i < 5; i++) chain.verify(r0)
    expect(checks).toBe(1)
    // Other signers over the same header: a different certificate, checked (and refused when bad).
    chain.verify(record(0, [0, 1, 3], S1).rec)
    expect(checks).toBe(2)
    expect(codeOf(() => chain.verify(record(0, [2, 3], S1).rec))).toBe(CheckpointErrorCode.NO_QUORUM)
    expect(checks).toBe(3)
  })
})
