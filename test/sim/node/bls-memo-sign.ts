// core/crypto/sign.ts with its BLS functions memoized (see bls-memo.ts); the CLI's module hook serves
// this module wherever the node imports sign.ts.
import * as orig from '../../../core/crypto/sign.ts'
import { memoizedBls } from './bls-memo.ts'

export * from '../../../core/crypto/sign.ts'
const m = memoizedBls(orig)
export const signBls = m.signBls
export const verifyBls = m.verifyBls
export const verifyBlsAggregate = m.verifyBlsAggregate
export const verifyBlsPossession = m.verifyBlsPossession
export const blsPublicKey = m.blsPublicKey
export const aggregateBlsSignatures = m.aggregateBlsSignatures
