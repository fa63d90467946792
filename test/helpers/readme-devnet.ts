// The README's main command, `agora devnet --validators 4 --epochs 3`, run as a child process once per test
// worker and shared: the dashboard test (test/dashboard) opens a node's page while it runs, and the devnet
// test (test/e2e/devnet.test.ts) checks the summary it prints when it exits, so the e2e lane starts one
// devnet for both, not two. Each file still runs alone (it then starts the run itself).
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readRegistry, type NodeRecord } from '../../tools/devnet/registry.ts'
import { height, runAgora, until } from './e2e.ts'

export const README_DEVNET = { validators: 4, epochs: 3, slotMs: 1000, epochSlots: 8 } as const
/** Ctrl-C after this long: 3 epochs of 8 one-second slots take ~45 s on 2 cores. */
const RUN_TIMEOUT_MS = 420_000

export interface ReadmeDevnet {
  readonly dir: string
  /** Resolves when `agora devnet` exits: its exit code and all its output. */
  readonly done: Promise<{ code: number | null; stdout: string }>
  exited(): boolean
}

let current: ReadmeDevnet | undefined

function start(): ReadmeDevnet {
  const d = README_DEVNET
  const dir = join(mkdtempSync(join(tmpdir(), 'agora-devnet-')), 'net')
  let exited = false
  const done = runAgora(['devnet', '--validators', String(d.validators), '--epochs', String(d.epochs), '--slot-ms', String(d.slotMs),
    '--epoch-slots', String(d.epochSlots), '--dir', dir], RUN_TIMEOUT_MS).finally(() => { exited = true })
  return { dir, done, exited: () => exited }
}

/** This worker's run (started on first use): the devnet test reads its end, whenever it started. */
export function readmeDevnet(): ReadmeDevnet {
  current ??= start()
  return current
}

/** A run that has not exited yet (this worker's, or a new one), and one of its nodes once it decides blocks. */
export async function runningReadmeDevnet(timeoutMs: number): Promise<{ devnet: ReadmeDevnet; node: NodeRecord }> {
  if (current?.exited()) current = undefined
  const devnet = readmeDevnet()
  const found = await until(`a node of the README devnet in ${devnet.dir} at height 1`, timeoutMs, async () => {
    if (devnet.exited()) return 'exited' as const
    const node = readRegistry(devnet.dir)?.nodes.find((n) => n.status === 'running')
    return node && (await height(node)) >= 1 ? node : undefined
  })
  if (found === 'exited') throw new Error(`agora devnet exited before a node decided a block\n${(await devnet.done).stdout.slice(-3000)}`)
  return { devnet, node: found }
}
