// Validation pools (DGF): a fee mints REP held by the pool, split between a stake for the post's authors
// and an unowned stake against; members lock REP for or against until the window ends (in slots and in
// blocks: ./pool-window.ts); resolution decides by quorum and win ratio, pays winners from the losing side
// and propagates the post's award.
import { PPM, formatRep } from '../core/amount.ts'
import { AgoraError } from '../core/errors.ts'
import type { MemberId, PoolId, PostId } from '../core/ids.ts'
import { applyPayload } from './governance.ts'
import { newEffects, propagate } from './propagate.ts'
import { account, circulatingSupply, requirePool, requirePost, sortedKeys, type ForumState, type PoolOutcome, type PoolRecord } from './state.ts'
import { INCINERATOR, SYSTEM_SENDER, type InitiatePoolTx, type StakeTx } from './tx.ts'
import { peek } from '../core/tracked-map.ts'
import { dueIds, noteOpened } from './open-pools.ts'
import { poolDue, poolOpen, poolWindow } from './pool-window.ts'

export function initiatePool(s: ForumState, tx: InitiatePoolTx): PoolRecord {
  if (s.pools.has(tx.id)) throw new AgoraError('DUPLICATE', `pool ${tx.id} already exists`)
  if (tx.post === INCINERATOR) throw new AgoraError('UNKNOWN_POST', 'cannot pool on the incinerator')
  // Read only (peek): the post's leaf in the state root is not rehashed for a pool on it.
  const post = peek(s.posts, tx.post)
  if (!post) throw new AgoraError('UNKNOWN_POST', `unknown post ${tx.post}`)
  const system = tx.sender === SYSTEM_SENDER
  const gov = post.payload !== undefined
  const p = s.params
  if (tx.overrides && (!system || gov)) throw new AgoraError('FORBIDDEN', gov ? 'governance pools run on the governed gov* parameters' : 'only the system may override pool parameters')
  const minDuration = gov ? Math.max(p.poolDurationSlots, p.govMinDurationSlots) : p.poolDurationSlots
  if ((!system || gov) && tx.durationSlots !== undefined && tx.durationSlots < minDuration) {
    throw new AgoraError('BAD_POOL', `pool duration ${tx.durationSlots} below the least ${minDuration} slots`)
  }
  if (gov && tx.fee < BigInt(p.govMinPoolFee)) throw new AgoraError('BAD_POOL', `governance pool fee ${tx.fee} below govMinPoolFee ${p.govMinPoolFee}`)
  // The system pays fees from outside the forum (fees the node collected elsewhere): counted as deposited.
  if (!system && (s.accounts.get(tx.sender)?.credits ?? 0n) < tx.fee) throw new AgoraError('INSUFFICIENT', `${tx.sender} cannot pay pool fee ${tx.fee}`)

  if (system) s.totals.deposited += tx.fee
  else account(s, tx.sender).credits -= tx.fee
  s.feePot += tx.fee
  // Floor: a fractional nano-REP of fee × ratio is never minted. The split's remainder goes to the
  // favour half, so an uncontested pool with the default 1/2 split always passes (odd fees included).
  const minted = (tx.fee * BigInt(s.params.mintingRatioPpm)) / PPM
  const favourMinted = minted - (minted * (PPM - BigInt(s.params.stakeForAuthorPpm))) / PPM
  s.totals.minted += minted
  s.totals.escrow += minted
  const o = tx.overrides ?? {}
  const duration = tx.durationSlots ?? minDuration
  const pool: PoolRecord = {
    id: tx.id, post: tx.post, sender: tx.sender, fee: tx.fee, minted, favourMinted, againstMinted: minted - favourMinted,
    ...poolWindow(s, duration),
    quorumPpm: gov ? p.govQuorumPpm : o.quorumPpm ?? p.quorumPpm,
    winRatioPpm: gov ? p.govWinRatioPpm : o.winRatioPpm ?? p.winRatioPpm,
    bindingPpm: o.bindingPpm ?? p.bindingPpm,
    redistributeLosingStakes: o.redistributeLosingStakes ?? p.redistributeLosingStakes,
    stakes: new Map(), memberInFavor: 0n, memberAgainst: 0n,
  }
  s.pools.set(tx.id, pool)
  noteOpened(s, pool)
  return pool
}

/**
 * A dispute pool on `post` against `accused`, opened by the ledger. Its against half is `honestWeight`,
 * minted into escrow and burned at resolution (it weighs the vote, it pays no one); the accused's own
 * stakes are paid or bound like anyone's but do not count in the vote, so REP cannot buy an acquittal.
 */
export function openDisputePool(s: ForumState, d: { id: PoolId; post: PostId; accused: MemberId; honestWeight: bigint }): PoolRecord {
  if (s.pools.has(d.id)) throw new AgoraError('DUPLICATE', `pool ${d.id} already exists`)
  requirePost(s, d.post)
  if (d.honestWeight < 0n) throw new AgoraError('BAD_AMOUNT', 'negative honest weight')
  s.totals.minted += d.honestWeight
  s.totals.escrow += d.honestWeight
  const pool: PoolRecord = {
    id: d.id, post: d.post, sender: SYSTEM_SENDER, fee: 0n, minted: d.honestWeight, favourMinted: 0n, againstMinted: d.honestWeight,
    ...poolWindow(s, s.params.poolDurationSlots),
    quorumPpm: 0, winRatioPpm: s.params.winRatioPpm, bindingPpm: 1_000_000, redistributeLosingStakes: true,
    stakes: new Map(), memberInFavor: 0n, memberAgainst: 0n, accused: d.accused,
  }
  s.pools.set(d.id, pool)
  noteOpened(s, pool)
  return pool
}

export function stake(s: ForumState, tx: StakeTx): void {
  const pool = requirePool(s, tx.pool)
  if (tx.sender === SYSTEM_SENDER) throw new AgoraError('FORBIDDEN', 'the system holds no REP to stake')
  if (!poolOpen(s, pool)) throw new AgoraError('POOL_CLOSED', `pool ${pool.id} closed at slot ${pool.endSlot} and height ${pool.endHeight}`)
  if (tx.amount <= 0n) throw new AgoraError('BAD_AMOUNT', 'stake must be positive')
  // One lookup of the sender's account (each tracked get also queues the account for the state root).
  const acc = s.accounts.get(tx.sender)
  const free = acc ? acc.rep - acc.locked : 0n
  if (!acc || tx.amount > free) throw new AgoraError('INSUFFICIENT', `${tx.sender} stakes ${formatRep(tx.amount)} REP but has ${formatRep(free)} free`)
  acc.locked += tx.amount
  let st = pool.stakes.get(tx.sender)
  if (!st) { st = { inFavor: 0n, against: 0n }; pool.stakes.set(tx.sender, st) }
  if (tx.inFavor) { st.inFavor += tx.amount; pool.memberInFavor += tx.amount }
  else { st.against += tx.amount; pool.memberAgainst += tx.amount }
}

/**
 * Resolve a pool whose duration has passed. Quorum: member stakes / members' REP ≥ quorumPpm. Passes when
 * quorum is met, something is staked, and for / (for + against) ≥ winRatioPpm — minted halves included,
 * except in governance pools, where only members vote (the proposer's fee buys no support).
 */
export function resolvePool(s: ForumState, id: PoolId): PoolOutcome {
  const pool = requirePool(s, id)
  if (pool.outcome) throw new AgoraError('POOL_CLOSED', `pool ${id} is already resolved`)
  if (!poolDue(s, pool)) throw new AgoraError('POOL_OPEN', `pool ${id} runs until slot ${pool.endSlot} and height ${pool.endHeight} (now ${s.slot}, ${s.height})`)

  const members = sortedKeys(pool.stakes)
  const memberStaked = pool.memberInFavor + pool.memberAgainst
  const forTotal = pool.favourMinted + pool.memberInFavor
  const staked = forTotal + pool.againstMinted + pool.memberAgainst
  const quorumMet = memberStaked * PPM >= BigInt(pool.quorumPpm) * circulatingSupply(s)
  const gov = peek(s.posts, pool.post)!.payload !== undefined
  const accused = pool.accused ? stakesOf(pool, pool.accused) : { inFavor: 0n, against: 0n }
  const [yes, all] = gov ? [pool.memberInFavor, memberStaked] : [forTotal - accused.inFavor, staked - accused.inFavor - accused.against]
  const passed = quorumMet && all > 0n && yes * PPM >= BigInt(pool.winRatioPpm) * all
  s.totals.escrow -= pool.minted

  if (!quorumMet) {
    // No decision: members get their stakes back unchanged; the minted REP is burned.
    for (const m of members) { const st = pool.stakes.get(m)!; account(s, m).locked -= st.inFavor + st.against }
    s.totals.burned += pool.minted
    return finish(pool, { quorumMet, passed: false, postAward: 0n, burned: pool.minted })
  }

  const winMinted = passed ? pool.favourMinted : pool.againstMinted
  // The whole minted losing half goes to winners — except a dispute's honest weight, which pays no one.
  const unpaid = passed && pool.accused ? pool.againstMinted : 0n
  let pot = (passed ? pool.againstMinted : pool.favourMinted) - unpaid
  let burned = unpaid
  let winMembers = 0n
  for (const m of members) {
    const st = pool.stakes.get(m)!
    const lost = passed ? st.against : st.inFavor
    winMembers += passed ? st.inFavor : st.against
    if (lost === 0n) continue
    // Binding share floored: the sub-nano remainder stays with the loser.
    const bound = (lost * BigInt(pool.bindingPpm)) / PPM
    const acc = account(s, m)
    acc.rep -= bound
    acc.locked -= lost
    if (pool.redistributeLosingStakes) pot += bound
    else burned += bound
  }
  const winTotal = winMinted + winMembers // > 0: passed ⇒ for > 0; failed with quorum ⇒ against > 0
  let paid = 0n
  for (const m of members) {
    const st = pool.stakes.get(m)!
    const won = passed ? st.inFavor : st.against
    if (won === 0n) continue
    const share = (pot * won) / winTotal
    const acc = account(s, m)
    acc.rep += share
    acc.locked -= won
    paid += share
  }
  const mintedShare = winTotal === 0n ? 0n : (pot * winMinted) / winTotal
  paid += mintedShare
  burned += pot - paid // pro-rata dust (< number of winners, in nano-REP) is burned
  let postAward = 0n
  if (passed) {
    // The authors' minted stake and its winnings go to the post and propagate through its citations.
    postAward = winMinted + mintedShare
    const fx = newEffects()
    propagate(s, s.posts.get(pool.post)!, postAward, 0, fx)
    burned += fx.burned
  } else {
    burned += winMinted + mintedShare // the unowned against stake and its winnings belong to nobody
  }
  s.totals.burned += burned
  const post = peek(s.posts, pool.post)!
  const effect = passed && post.payload ? applyPayload(s, post.id, post.payload) : undefined
  return finish(pool, { quorumMet, passed, postAward, burned, effect })
}

function finish(pool: PoolRecord, outcome: PoolOutcome): PoolOutcome {
  if (outcome.effect === undefined) delete outcome.effect
  pool.outcome = outcome
  return outcome
}

/** Open pools whose window has passed, in resolution order (end height, then id). */
export function duePools(s: ForumState): PoolRecord[] {
  // From the open-pool index (./open-pools.ts), then a get for each: the state root rehashes only those.
  return dueIds(s).map((id) => s.pools.get(id)!)
}

export const stakesOf = (pool: PoolRecord, m: MemberId) => pool.stakes.get(m) ?? { inFavor: 0n, against: 0n }
