// ParSigDB under hostile input: epochs far ahead or long past are ignored (and never evict the current
// epoch's signatures), so is an epoch whose set we do not know yet; non-signers and bad signatures are
// rejected, and so is a second value from one signer.
import { describe, expect, it } from 'vitest'
import { createParSigDb, ParSigErrorCode, type ParSigMessage } from '../../../validator/core/parsig.ts'
import { PARSIG_EPOCHS_AHEAD, PARSIG_EPOCHS_BEHIND } from '../../../validator/core/limits.ts'

const SIGNERS = ['a', 'b', 'c', 'd']
const hash = (n: number) => n.toString(16).padStart(64, '0')
/** A fake signature scheme: the signature of `s` over `h` is `0x` + hex(s) + h's first 8 chars. */
const sig = (s: string, h: string) => '0x' + Buffer.from(s).toString('hex') + h.slice(0, 8)
const msg = (epoch: number, signer: string, value = hash(epoch + 1)): ParSigMessage => ({ kind: 'checkpoint', epoch, valueHash: value, signature: sig(signer, value) })

/** `knownUpTo`: the highest epoch whose certifying set this node knows (a lagging node knows fewer). */
function db(epoch: { now: number }, knownUpTo = Infinity) {
  let verifications = 0
  const parsig = createParSigDb({
    powerOf: (_k, s, e) => (SIGNERS.includes(s) && e <= knownUpTo ? 1n : 0n),
    totalPower: (_k, e) => (e <= knownUpTo ? BigInt(SIGNERS.length) : 0n),
    verify: (_k, s, h, signature) => { verifications++; return signature === sig(s, h) },
    currentEpoch: () => epoch.now,
  })
  return { parsig, verifications: () => verifications }
}

describe('parsig epoch window and verdicts', () => {
  it('ignores far-future epochs, and a flood of them leaves the current aggregate intact', () => {
    const epoch = { now: 10 }
    const { parsig } = db(epoch)
    parsig.expect('checkpoint', 10, hash(11))
    parsig.add('a', msg(10, 'a'))
    parsig.add('b', msg(10, 'b'))
    for (let e = 11 + PARSIG_EPOCHS_AHEAD; e < 11 + PARSIG_EPOCHS_AHEAD + 64; e++) {
      const err = parsig.check('c', msg(e, 'c'))
      expect([err?.code, err?.verdict]).toEqual([ParSigErrorCode.EPOCH_AHEAD, 'ignore'])
      expect(parsig.add('c', msg(e, 'c'))).toBeUndefined()
    }
    const agg = parsig.add('c', msg(10, 'c'))
    expect(agg?.signatures.map(([s]) => s)).toEqual(['a', 'b', 'c'])
  })

  it('ignores long-past epochs and forgets them as the epoch moves on', () => {
    const epoch = { now: 3 }
    const { parsig } = db(epoch)
    parsig.expect('checkpoint', 3, hash(4))
    parsig.add('a', msg(3, 'a'))
    epoch.now = 3 + PARSIG_EPOCHS_BEHIND + 1
    const err = parsig.check('b', msg(3, 'b'))
    expect([err?.code, err?.verdict]).toEqual([ParSigErrorCode.EPOCH_PASSED, 'ignore'])
  })

  it('ignores (does not reject) a signer of an epoch whose set we do not know yet: we are behind, not the sender', () => {
    const { parsig } = db({ now: 5 }, 5)
    const err = parsig.check('a', msg(6, 'a'))
    expect([err?.code, err?.verdict]).toEqual([ParSigErrorCode.SET_UNKNOWN, 'ignore'])
    const stranger = parsig.check('mallory', msg(5, 'mallory'))
    expect([stranger?.code, stranger?.verdict]).toEqual([ParSigErrorCode.NOT_A_SIGNER, 'reject'])
  })

  it('rejects non-signers, bad signatures and a second value; ignores a duplicate; verifies once', () => {
    const { parsig, verifications } = db({ now: 5 })
    const cases: [string, ParSigMessage, string, string][] = [
      ['mallory', msg(5, 'mallory'), ParSigErrorCode.NOT_A_SIGNER, 'reject'],
      ['a', { ...msg(5, 'a'), signature: sig('b', hash(6)) }, ParSigErrorCode.BAD_SIGNATURE, 'reject'],
    ]
    for (const [signer, m, code, verdict] of cases) {
      const err = parsig.check(signer, m)
      expect([err?.code, err?.verdict]).toEqual([code, verdict])
    }
    expect(parsig.check('a', msg(5, 'a'))).toBeUndefined()
    parsig.add('a', msg(5, 'a'))
    expect(verifications()).toBe(2) // the bad one and the good one: the add reused the check's verification
    const dup = parsig.check('a', msg(5, 'a'))
    expect([dup?.code, dup?.verdict]).toEqual([ParSigErrorCode.DUPLICATE, 'ignore'])
    const other = parsig.check('a', msg(5, 'a', hash(99)))
    expect([other?.code, other?.verdict]).toEqual([ParSigErrorCode.CONFLICTING, 'reject'])
  })
})
