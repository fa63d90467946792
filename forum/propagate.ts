// Reputation propagation through citations (DGF). An amount arriving at a post first flows out through
// its citations (positive ones donate, negative ones leach), up to `referenceChainLimit` hops; what stays
// is the post's value change, paid to (or taken from) its authors by weight. Reversals are bounded by what
// actually flowed through a citation, and no post or balance ever goes below zero: what cannot be taken
// is returned ("unabsorbed") to the caller, which keeps it.
import { PPM } from '../core/amount.ts'
import type { MemberId } from '../core/ids.ts'
import { account, type Author, type ForumState, type PostRecord } from './state.ts'
import { INCINERATOR } from './tx.ts'

/** Hard cap on posts visited by one propagation (a wide citation DAG must not stall a block). */
export const MAX_PROPAGATION_VISITS = 100_000

export interface PropagationEffects {
  /** REP sent to the incinerator (destroyed). */
  burned: bigint
  visits: number
  /** Net REP change per member, for reporting. */
  deltas: Map<MemberId, bigint>
}

export const newEffects = (): PropagationEffects => ({ burned: 0n, visits: 0, deltas: new Map() })

/**
 * Apply `amount` (may be negative) to `post` reached at `depth` hops from the pool's target.
 * Returns the part that could not be absorbed: 0 for positive amounts; for negative ones the (negative)
 * remainder that neither the post's value nor its authors' free REP could cover.
 */
export function propagate(s: ForumState, post: PostRecord, amount: bigint, depth: number, fx: PropagationEffects): bigint {
  if (amount === 0n) return 0n
  fx.visits++
  let passedOn = 0n
  if (depth < s.params.referenceChainLimit && fx.visits < MAX_PROPAGATION_VISITS) {
    for (const c of post.citations) {
      // Truncation toward zero: the sub-nano remainder of every citation share stays with this post.
      let out = (amount * BigInt(c.weightPpm)) / PPM
      // A post losing value takes back what it donated, and gives back what it leached, never more.
      if (c.weightPpm > 0 && out < 0n && out < -c.flow) out = -c.flow
      if (c.weightPpm < 0 && out > 0n && out > -c.flow) out = -c.flow
      if (out === 0n) continue
      let unabsorbed = 0n
      if (c.post === INCINERATOR) {
        if (out < 0n) continue // burned REP cannot be taken back
        fx.burned += out
      } else {
        unabsorbed = propagate(s, s.posts.get(c.post)!, out, depth + 1, fx)
      }
      const effective = out - unabsorbed
      c.flow += effective
      passedOn += effective
    }
  }
  let applied = amount - passedOn
  let unabsorbed = 0n
  if (post.value + applied < 0n) {
    unabsorbed = post.value + applied // a post never goes below zero; the rest returns to the caller
    applied = -post.value
  }
  if (applied > 0n) {
    const shares = splitByWeight(applied, post.authors)
    post.authors.forEach((a, i) => credit(s, a.member, shares[i]!, fx))
  } else if (applied < 0n) {
    // Authors pay from free REP only (locked stakes are never spendable); any shortfall is unabsorbed.
    const shares = splitByWeight(-applied, post.authors)
    let collected = 0n
    post.authors.forEach((a, i) => { collected += debitUpTo(s, a.member, shares[i]!, fx) })
    unabsorbed += applied + collected
    applied = -collected
  }
  post.value += applied
  return unabsorbed
}

/**
 * Split `total` (≥ 0) by author weights (PPM, summing to 1e6): each share is floored; the remainder goes
 * to the author with the largest weight (ties: the lowest member id, i.e. first in the sorted list).
 */
export function splitByWeight(total: bigint, authors: readonly Author[]): bigint[] {
  let top = 0
  const shares = authors.map((a, i) => {
    if (a.weightPpm > authors[top]!.weightPpm) top = i
    return (total * BigInt(a.weightPpm)) / PPM
  })
  shares[top] += total - shares.reduce((x, y) => x + y, 0n)
  return shares
}

function credit(s: ForumState, m: MemberId, v: bigint, fx: PropagationEffects): void {
  if (v === 0n) return
  account(s, m).rep += v
  fx.deltas.set(m, (fx.deltas.get(m) ?? 0n) + v)
}

function debitUpTo(s: ForumState, m: MemberId, want: bigint, fx: PropagationEffects): bigint {
  const a = s.accounts.get(m)
  if (!a || want === 0n) return 0n
  const free = a.rep - a.locked
  const take = want < free ? want : free > 0n ? free : 0n
  a.rep -= take
  fx.deltas.set(m, (fx.deltas.get(m) ?? 0n) - take)
  return take
}
