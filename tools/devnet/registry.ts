// The devnet's registry file `<dir>/nodes.json`: which nodes exist, where their data lives, their ports,
// pid, status and restarts, plus how to reach the running supervisor. The supervisor is its only writer;
// other CLI invocations (`agora nodes list`) read it. Written atomically (temp file + rename).
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import { AgoraError } from '../../core/errors.ts'

export const REGISTRY_FILE = 'nodes.json'
export const DEFAULT_DEVNET_DIR = '.devnet'

export const NODE_STATUSES = [
  'starting',     // spawned, not answering /livez yet
  'running',      // answering /livez
  'unresponsive', // alive but not answering /livez (restarted after the threshold)
  'paused',       // stopped by a signal (SIGSTOP); restarted only after the threshold
  'restarting',   // died or was killed; waiting out the backoff
  'stopping',     // being stopped on purpose
  'stopped',      // not running (supervisor shut down)
  'removed',      // removed by the operator: never restarted
] as const
export type NodeStatus = (typeof NODE_STATUSES)[number]

export const NodeRecordSchema = z.object({
  id: z.string(),
  index: z.number().int().nonnegative(),
  dataDir: z.string(),
  p2pPort: z.number().int().positive(),
  apiPort: z.number().int().positive(),
  apiUrl: z.string(),
  pid: z.number().int().positive().nullable(),
  status: z.enum(NODE_STATUSES),
  restarts: z.number().int().nonnegative(),
  startedAt: z.number().nullable(),
  peerId: z.string().nullable(),
  multiaddrs: z.array(z.string()),
  lastExit: z.string().nullable(),
})
export type NodeRecord = z.infer<typeof NodeRecordSchema>

export const RegistrySchema = z.object({
  version: z.literal(1),
  updatedAt: z.number(),
  supervisor: z.object({ pid: z.number().int().positive(), controlUrl: z.string(), token: z.string(), startedAt: z.number() }).nullable(),
  nodes: z.array(NodeRecordSchema),
})
export type Registry = z.infer<typeof RegistrySchema>

export const registryPath = (dir: string) => join(dir, REGISTRY_FILE)

export function readRegistry(dir: string): Registry | null {
  const file = registryPath(dir)
  if (!existsSync(file)) return null
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'))
  } catch (e) {
    throw new AgoraError('BAD_REGISTRY', `${file} is not valid JSON: ${(e as Error).message}`)
  }
  const parsed = RegistrySchema.safeParse(raw)
  if (!parsed.success) throw new AgoraError('BAD_REGISTRY', `${file} does not match the registry schema: ${parsed.error.issues[0]?.message}`)
  return parsed.data
}

/** Like readRegistry, but a missing file is an error a person can act on. */
export function requireRegistry(dir: string): Registry {
  const reg = readRegistry(dir)
  if (!reg) throw new AgoraError('NO_DEVNET', `no ${REGISTRY_FILE} in ${dir} (start a network there with agora devnet --dir ${dir})`)
  return reg
}

export function writeRegistry(dir: string, reg: Registry): void {
  mkdirSync(dir, { recursive: true })
  const file = registryPath(dir)
  const tmp = `${file}.${process.pid}.tmp`
  // 0600: the file holds the supervisor's control token.
  writeFileSync(tmp, JSON.stringify(reg, null, 2) + '\n', { mode: 0o600 })
  renameSync(tmp, file)
}

/** Find a node by exact id or by its number (`2` → `node-2`). */
export function findNode(reg: Registry, idOrNumber: string): NodeRecord | undefined {
  return reg.nodes.find((n) => n.id === idOrNumber) ?? reg.nodes.find((n) => n.id === `node-${idOrNumber}`)
}
