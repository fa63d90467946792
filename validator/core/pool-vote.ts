// POOL_VOTE duty: each slot, decide this node's vote on every open pool under the operator's policy
// (pool-voter.ts: governance by envelope and lists, disputes by the ledger's final value) and stake it.
// Each pool is decided once (DutyDB), so a restart never votes twice. The policy is read each slot, so an
// operator's edit (`agora gov policy`) applies to pools not yet voted on without a restart.
import type { PoolId } from '../../core/ids.ts'
import type { DutyDb } from '../infra/db/dutydb.ts'
import type { LedgerView } from './importer.ts'
import type { OwnTxs } from './own-txs.ts'
import { decidePoolVote, type VotePolicy } from './pool-voter.ts'

export interface PoolVoteDuty { onSlot(slot: number): Promise<void> }

/** A fixed policy, or a reader of the operator's current one (validator/app/vote-policy.ts votePolicyReader). */
export type VotePolicySource = VotePolicy | (() => VotePolicy)

export interface PoolVoteModules {
  readonly self: string; readonly ledger: LedgerView; readonly duties: DutyDb; readonly own: OwnTxs; readonly policy: VotePolicySource
  isValidator(): boolean
}

export function createPoolVoteDuty(m: PoolVoteModules): PoolVoteDuty {
  const considered = new Set<string>()
  const { ledger, self } = m
  return {
    async onSlot() {
      if (!m.isValidator()) return
      const policy = typeof m.policy === 'function' ? m.policy() : m.policy
      const view = { forum: ledger.forum, submissions: ledger.evals.submissions }
      for (const id of [...ledger.forum.pools.keys()].sort()) {
        if (considered.has(id)) continue
        const decision = decidePoolVote(view, self, id, policy)
        if (decision.vote === 'abstain') {
          // Closed or already staked: never again. Otherwise the answer may change (e.g. a score becomes final).
          if (/not open|already staked/.test(decision.reason)) considered.add(id)
          continue
        }
        considered.add(id)
        const pool = ledger.forum.pools.get(id as never)!
        try {
          await m.duties.decide({ type: 'POOL_VOTE', slot: pool.startSlot }, id, new Uint8Array([decision.vote === 'for' ? 1 : 0]))
        } catch { continue } // decided before (a restart): the vote was already sent
        await m.own.submit({ type: 'Stake', pool: id as PoolId, amount: decision.amount.toString(), inFavor: decision.vote === 'for' })
      }
    },
  }
}
