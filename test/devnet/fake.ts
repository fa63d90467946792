// Test helpers: the fake node's command line (same arguments as the real node) and small waits.
import { fileURLToPath } from 'node:url'
import { nodeArgs, REPO_ROOT, type NodeCommandFn } from '../../tools/devnet/launch.ts'

export const FAKE_NODE = fileURLToPath(new URL('./fake-node.ts', import.meta.url))

export const fakeNodeCommand = (genesis = '/dev/null'): NodeCommandFn => (spec) => ({
  command: process.execPath,
  args: ['--import', 'tsx', FAKE_NODE, ...nodeArgs(spec, { genesis })],
  cwd: REPO_ROOT,
})

export async function waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await fn()
    if (v) return v as NonNullable<T>
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

export { isAlive as pidAlive } from '../../tools/devnet/processes.ts'
