// Readiness and liveness: ready once caught up, signing allowed and connected, and while blocks keep being
// decided; live unless the network has decided nothing for STALL_SLOTS slots although we are connected
// (a stalled node the supervisor should restart). The stall is also a metric (slots since the last block).
import type { Clock } from '../../core/clock.ts'
import type { Genesis } from '../../ledger/genesis.ts'
import type { LedgerView } from './importer.ts'
import type { Schedule } from './scheduler.ts'
import type { DoppelgangerGuard } from './doppelganger.ts'
import { BEHIND_SLOTS, STALL_SLOTS } from './limits.ts'

export interface Health {
  live(): boolean
  ready(): { ready: boolean; reason?: string }
  /** Slots since the last decided block (0 before genesis). */
  slotsSinceBlock(): number
}

export interface HealthModules {
  readonly genesis: Genesis; readonly ledger: LedgerView; readonly schedule: Schedule; readonly clock: Clock
  readonly guard: DoppelgangerGuard
  caughtUp(): boolean
  peers(): number
}

export function createHealth(m: HealthModules): Health {
  const multi = m.genesis.validators.length > 1
  const slotsSinceBlock = () => (m.clock.now() < m.genesis.genesisTime ? 0 : Math.max(0, m.schedule.slotAt(m.clock.now()) - m.ledger.lastSlot))
  return {
    slotsSinceBlock,
    live: () => !(multi && m.caughtUp() && m.peers() > 0 && slotsSinceBlock() > STALL_SLOTS),
    ready() {
      const now = m.schedule.slotAt(m.clock.now())
      // First: it never clears by itself, and the operator must stop one of the two nodes.
      if (m.guard.state === 'doppelganger') return { ready: false, reason: 'doppelgänger: another node signs with these keys; not signing' }
      if (multi && slotsSinceBlock() > BEHIND_SLOTS) return { ready: false, reason: `behind: last block at slot ${m.ledger.lastSlot}, now ${now}` }
      if (!m.caughtUp()) return { ready: false, reason: 'catching up with peers' }
      if (m.guard.state === 'watching') return { ready: false, reason: `doppelgänger guard: watching until slot ${m.guard.clearSlot}` }
      if (multi && m.peers() === 0) return { ready: false, reason: 'no peers' }
      return { ready: true }
    },
  }
}
