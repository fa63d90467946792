// bench restart: a single-validator data dir whose RocksDB holds N decided blocks (default 100,000; pass
// another N as the first argument), then the time from spawning `agora node` to its "caught up; voting"
// line. Case restart-100k-blocks-snapshot starts from the local snapshot the node keeps (what a restart
// does now); case restart-100k-blocks-replay has the snapshot removed, so the node replays every block from
// genesis (what a restart did before local snapshots). Both in one run, with their ratio.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { report, round } from './report.ts'
import { buildLocalNetwork } from '../validator/app/genesis-builder.ts'
import { AGORA_BIN } from '../tools/devnet/launch.ts'
import { applyBlock, createGenesisLedger, ledgerStateRoot } from '../ledger/ledger.ts'
import { snapshotLedger } from '../ledger/snapshot.ts'
import type { Block } from '../ledger/block.ts'
import type { CommitCertificate } from '../validator/consensus/index.ts'
import { BlockStore, type StoredBlock } from '../validator/infra/db/block-store.ts'
import { RocksStore } from '../validator/infra/db/rocks.ts'
import { LOCAL_SNAPSHOT_EVERY_BLOCKS } from '../validator/core/local-snapshots.ts'

const B = 'restart'
const SLOT_MS = 1000
const WRITE_BATCH = 2048

/** Fills the node's store with `n` empty decided blocks and the local snapshot the node would have written. */
async function fill(dbPath: string, genesis: Parameters<typeof createGenesisLedger>[0], proposer: string, n: number) {
  const db = await RocksStore.open(dbPath)
  const store = new BlockStore(db)
  const s = createGenesisLedger(genesis)
  // Replay does not re-check certificates of the node's own decided log; an empty one stands in.
  const certificate = { height: 0, round: 0, value: new Uint8Array(32), commits: [] } as unknown as CommitCertificate
  let batch: StoredBlock[] = []
  let root = ledgerStateRoot(s)
  for (let h = 1; h <= n; h++) {
    const block: Block = { height: h, slot: h, prevHash: s.lastBlockHash, prevStateRoot: root, proposer, txs: [] }
    root = applyBlock(s, block, []).stateRoot
    batch.push({ block, certificate })
    if (batch.length === WRITE_BATCH || h === n) { await store.putBlocks(batch); batch = [] }
    if (h % LOCAL_SNAPSHOT_EVERY_BLOCKS === 0) await store.putLocalSnapshot({ height: h, stateRoot: root, bytes: snapshotLedger(s) })
  }
  await db.close()
}

/** Milliseconds from spawn to the node's "caught up; voting" line; the node is stopped after it. */
function timeToVoting(dataDir: string, genesisPath: string): Promise<{ ms: number; replayed: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    const child = spawn(process.execPath, [AGORA_BIN, 'node', '--data-dir', dataDir, '--genesis', genesisPath, '--api-port', '0', '--listen', '/ip4/127.0.0.1/tcp/0'],
      { env: { ...process.env, NO_COLOR: '1', AGORA_LOG_FORMAT: 'json' }, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = '', replayed = 0, done = false
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`no "caught up; voting" within 10 min:\n${out.slice(-2000)}`)) }, 600_000)
    const onData = (d: Buffer) => {
      out += d
      const m = /"height":(\d+)[^\n]*replayed decided log/.exec(out)
      if (m) replayed = Number(m[1])
      if (!done && out.includes('caught up; voting')) {
        done = true
        const ms = performance.now() - t0
        clearTimeout(timer)
        child.once('exit', () => resolve({ ms, replayed }))
        child.kill('SIGTERM')
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.once('exit', (code) => { if (!done) { clearTimeout(timer); reject(new Error(`node exited ${code} before voting:\n${out.slice(-2000)}`)) } })
  })
}

export async function run(args: string[]): Promise<void> {
  const n = Number(args[0] ?? 100_000)
  const dir = mkdtempSync(join(tmpdir(), 'agora-bench-restart-'))
  try {
    // Genesis far enough in the past that slot n has passed: the stored log is history, not the future.
    const net = await buildLocalNetwork({ dir, validators: 1, slotMs: SLOT_MS, genesisTime: Date.now() - (n + 10) * SLOT_MS })
    const v = net.validators[0]!
    const tFill = performance.now()
    await fill(join(v.dataDir, 'db'), net.genesis, v.peerId, n)
    process.stderr.write(`bench restart: ${n} blocks written in ${round((performance.now() - tFill) / 1000, 1)} s\n`)
    const fromSnapshot = await timeToVoting(v.dataDir, net.genesisPath)
    report(B, 'restart-100k-blocks-snapshot', { blocks: n, msToVoting: round(fromSnapshot.ms, 0), replayedTo: fromSnapshot.replayed })
    // The same store without its local snapshot: the node replays the whole log from genesis.
    const db = await RocksStore.open(join(v.dataDir, 'db'))
    await new BlockStore(db).deleteLocalSnapshot()
    await db.close()
    const full = await timeToVoting(v.dataDir, net.genesisPath)
    report(B, 'restart-100k-blocks-replay', { blocks: n, msToVoting: round(full.ms, 0), replayedTo: full.replayed, ratioReplayOverSnapshot: round(full.ms / fromSnapshot.ms, 1) })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
