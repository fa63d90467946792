// POOL_VOTE duty: each slot, re-check the open dispute pools and stake against a report the ledger's
// final value proved deviating. Each pool is decided once (DutyDB), so a restart never votes twice.
import { ONE_REP } from '../../core/amount.ts'
import type { MemberId, PoolId } from '../../core/ids.ts'
import * as forum from '../../forum/index.ts'
import type { DutyDb } from '../infra/db/dutydb.ts'
import type { LedgerView } from './importer.ts'
import type { OwnTxs } from './own-txs.ts'

/** REP an honest validator stakes against a report it re-checked and found deviating. */
export const DISPUTE_VOTE = 5n * ONE_REP

export interface PoolVoteDuty { onSlot(slot: number): Promise<void> }

export function createPoolVoteDuty(m: { readonly self: string; readonly ledger: LedgerView; readonly duties: DutyDb; readonly own: OwnTxs; isValidator(): boolean }): PoolVoteDuty {
  const voted = new Set<string>()
  const { ledger, self } = m
  return {
    async onSlot(slot) {
      if (!m.isValidator()) return
      for (const [id, p] of ledger.forum.pools) {
        if (p.outcome || slot >= p.endSlot || voted.has(id) || !id.startsWith('pool-dispute-')) continue
        voted.add(id)
        const post = ledger.forum.posts.get(p.post)
        const accused = post?.authors[0]?.member
        if (!accused || accused === self) continue
        const subPrefix = p.post.slice('dispute-'.length, 'dispute-'.length + 16)
        const sub = [...ledger.evals.submissions.values()].find((s) => s.id.startsWith(subPrefix))
        if (!sub?.final?.deviating.includes(accused)) continue
        if (forum.freeOf(ledger.forum, self as MemberId) < DISPUTE_VOTE) continue
        try {
          await m.duties.decide({ type: 'POOL_VOTE', slot: p.startSlot }, id, new Uint8Array([0]))
        } catch { continue }
        await m.own.submit({ type: 'Stake', pool: id as PoolId, amount: DISPUTE_VOTE.toString(), inFavor: false })
      }
    },
  }
}
