// core/crypto/sign.ts with its signature functions memoized (see crypto-memo.ts); the CLI's module hook
// serves this module wherever the node imports sign.ts.
import * as orig from '../../../core/crypto/sign.ts'
import { memoizedCrypto } from './crypto-memo.ts'

export * from '../../../core/crypto/sign.ts'
const m = memoizedCrypto(orig)
export const signBls = m.signBls
export const verifyBls = m.verifyBls
export const verifyBlsAggregate = m.verifyBlsAggregate
export const verifyBlsPossession = m.verifyBlsPossession
export const blsPublicKey = m.blsPublicKey
export const aggregateBlsSignatures = m.aggregateBlsSignatures
export const ed25519PublicKey = m.ed25519PublicKey
export const signEd25519 = m.signEd25519
export const verifyEd25519 = m.verifyEd25519
export const verifyEd25519Digest = m.verifyEd25519Digest
