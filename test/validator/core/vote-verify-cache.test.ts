// The vote-verification cache behind "verify each consensus vote once": a hit skips the signature check,
// but only for the very (key, vote, signature) that verified; failures are never remembered.
import { describe, expect, it } from 'vitest'
import { utf8 } from '../../../core/bytes.ts'
import { ed25519PublicKey } from '../../../core/crypto/sign.ts'
import { sha256 } from '../../../core/hash.ts'
import { ed25519VoteSigner, MsgType, valueVote, verifyVoteEd25519, type VoteVerifier } from '../../../validator/consensus/index.ts'
import { createVoteVerifyCache } from '../../../validator/core/consensus-message.ts'

const seed = sha256(utf8('vote-verify-cache/0'))
const pk = ed25519PublicKey(seed)
const signer = ed25519VoteSigner('v0', seed)
const voteA = valueVote('block', 7, 0, MsgType.PREPARE, sha256(utf8('a')))
const voteB = valueVote('block', 7, 0, MsgType.PREPARE, sha256(utf8('b')))

function counting(): { verify: VoteVerifier; calls: () => number } {
  let n = 0
  return { verify: (p, v, s) => { n++; return verifyVoteEd25519(p, v, s) }, calls: () => n }
}

describe('vote verify cache', () => {
  it('verifies a vote once, then answers from the cache', () => {
    const c = counting(), cache = createVoteVerifyCache(c.verify)
    const sig = signer.sign(voteA)
    expect(cache.verify(pk, voteA, sig)).toBe(true)
    expect(cache.verify(pk, { ...voteA }, sig)).toBe(true)
    expect(c.calls()).toBe(1)
  })

  it('never lets a cached signature pass for another vote, round or key', () => {
    const c = counting(), cache = createVoteVerifyCache(c.verify)
    const sig = signer.sign(voteA)
    expect(cache.verify(pk, voteA, sig)).toBe(true)
    expect(cache.verify(pk, voteB, sig)).toBe(false)
    expect(cache.verify(pk, { ...voteA, round: 1 }, sig)).toBe(false)
    expect(cache.verify(ed25519PublicKey(sha256(utf8('other'))), voteA, sig)).toBe(false)
  })

  it('does not remember a failure (checked again each time)', () => {
    const c = counting(), cache = createVoteVerifyCache(c.verify)
    const bad = signer.sign(voteB)
    expect(cache.verify(pk, voteA, bad)).toBe(false)
    expect(cache.verify(pk, voteA, bad)).toBe(false)
    expect(c.calls()).toBe(2)
  })

  it('knows our own votes from signing them', () => {
    const c = counting(), cache = createVoteVerifyCache(c.verify)
    const sig = signer.sign(voteA)
    cache.signed(pk, voteA, sig)
    expect(cache.verify(pk, voteA, sig)).toBe(true)
    expect(c.calls()).toBe(0)
  })
})
