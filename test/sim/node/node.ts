// One simulated validator: the real workflow (wire), ledger, consensus and runtime over a SimHost, a
// SimStore and the scheduler's clock. crash() stops it mid-flight (timers dead, host down, unsynced
// writes lost); restart() builds a new incarnation from the store, replaying the decided log as the
// node does at start-up.
import type { Clock } from '../../../core/clock.ts'
import type { NodeKeys } from '../../../core/crypto/keys.ts'
import type { Genesis } from '../../../ledger/genesis.ts'
import { applyBlock, createGenesisLedger, currentCertificationSet, type LedgerState } from '../../../ledger/ledger.ts'
import { restoreLedger } from '../../../ledger/snapshot.ts'
import { verifyTx } from '../../../ledger/txs.ts'
import { BlockStore } from '../../../validator/infra/db/block-store.ts'
import { createDutyDb } from '../../../validator/infra/db/dutydb.ts'
import { rocksSignerStore } from '../../../validator/infra/db/signer-store.ts'
import { silentLogger } from '../../../validator/infra/log.ts'
import type { Metrics } from '../../../validator/infra/metrics/metrics.ts'
import { Schedule } from '../../../validator/core/scheduler.ts'
import { followSchedule, wire, type Wired } from '../../../validator/core/wire.ts'
import { createHandoverChain } from '../../../validator/core/handover.ts'
import type { Scheduler } from '../scheduler.ts'
import type { SimChain } from './chain.ts'
import { challengeModules } from './genesis.ts'
import type { SimHost, SimNetwork } from './network.ts'
import { inProcessRuntime } from './runtime.ts'
import { SimStore } from './store.ts'

export type Role = 'honest' | 'lazy' | 'lying' | 'equivocating'

/** Metrics that record nothing: prom-client registries per simulated node would cost more than the node. */
const noop = { set() {}, inc() {}, observe() {}, labels: () => noop }
const nullMetrics = new Proxy({}, { get: () => noop }) as unknown as Metrics

export interface SimNodeOptions {
  readonly keys: NodeKeys
  readonly genesis: Genesis
  readonly role: Role
  readonly sched: Scheduler
  readonly net: SimNetwork
  readonly chain: SimChain
  /** Called on every block this node applies, with the state root after it. */
  readonly onBlock: (node: SimNode, height: number, root: string) => void
  /** Test hook: adjust each new host (byzantine wrappers, planted bugs). */
  readonly wrapHost?: (host: SimHost, node: SimNode) => void
}

export class SimNode {
  readonly id: string
  readonly store = new SimStore()
  ledger!: LedgerState
  host!: SimHost
  wired?: Wired
  incarnation = 0
  private alive = false

  constructor(readonly o: SimNodeOptions) { this.id = o.keys.peerId }

  get up(): boolean { return this.alive }

  private hostReady = false

  /**
   * Bring this node's network endpoint up before its workflow starts. Nodes starting together open all
   * their hosts first: a node that sees no peer at start-up waits on a real timer (sync.ts), which the
   * simulator must never reach.
   */
  openHost(): void {
    this.host = this.o.net.host(this.id, this.o.keys.ed25519Seed)
    this.o.wrapHost?.(this.host, this)
    this.hostReady = true
  }

  async start(): Promise<void> {
    const { genesis, sched, keys } = this.o
    if (!this.hostReady) this.openHost()
    this.hostReady = false
    const gen = ++this.incarnation
    const blocks = new BlockStore(this.store)
    const base = await blocks.getBase()
    const ledger = base ? restoreLedger(base) : createGenesisLedger(genesis)
    const schedule = new Schedule(genesis.genesisTime, ledger.forum.params.slotMs, ledger.forum.params.epochSlots)
    const last = await blocks.lastHeight()
    for (const { block } of await blocks.range(ledger.height + 1, last)) {
      for (const e of applyBlock(ledger, block, block.txs.map(verifyTx)).events) if (e.type === 'forum') followSchedule(schedule, ledger, e.event)
    }
    this.ledger = ledger
    this.alive = true
    const clock: Clock = {
      now: () => sched.now,
      // A dead incarnation's timers fire into nothing.
      setTimer: (ms, fn) => sched.after(ms, () => { if (this.alive && this.incarnation === gen) fn() }),
    }
    const modules = challengeModules()
    this.wired = wire({
      keys, genesis, ledger, schedule, clock, dishonest: this.o.role === 'lying',
      chainTarget: { chainId: this.o.chain.chainId, contract: this.o.chain.address },
    }, {
      log: silentLogger, host: this.host.asAgoraHost(), blocks, runtime: inProcessRuntime({ lazy: this.o.role === 'lazy' }),
      chain: this.o.chain.client(keys.evmAddress), metrics: nullMetrics,
      duties: createDutyDb(this.store), signerStore: rocksSignerStore(this.store),
      challengeModule: async (id) => modules.get(id),
      handover: createHandoverChain({ networkId: genesis.networkId, genesisSet: currentCertificationSet(createGenesisLedger(genesis)) }),
    })
    this.wired.events.subscribe((e) => { if (e.type === 'block' && this.alive && this.incarnation === gen) this.o.onBlock(this, e.block.height, e.block.stateRoot) })
    this.wired.start()
  }

  /** Power loss: the process stops wherever it is; only synced writes survive. */
  crash(): void {
    if (!this.alive) return
    this.alive = false
    this.wired?.stop()
    this.host.up = false
    this.store.crash()
  }
}
