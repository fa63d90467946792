// How one node is launched: the spec the supervisor fills (ids, dirs, ports, bootstrap peers) and the
// default command line for the real node (`node <V8 flags> bin/agora.js node ...`). Tests pass their own function.
import { fileURLToPath } from 'node:url'
import type { LaunchCommand } from './processes.ts'

export interface NodeLaunchSpec {
  readonly id: string
  readonly index: number
  readonly dataDir: string
  readonly p2pPort: number
  readonly apiPort: number
  /** `/ip4/127.0.0.1/tcp/<p2pPort>` */
  readonly listen: string
  /** Multiaddrs (with /p2p/<peerId>) of nodes already running; empty for the first node. */
  readonly bootstrap: readonly string[]
}

export type NodeCommandFn = (spec: NodeLaunchSpec) => LaunchCommand

export const AGORA_BIN = fileURLToPath(new URL('../../bin/agora.js', import.meta.url))
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))

export interface AgoraNodeOptions {
  readonly genesis: string
  readonly rpcUrl?: string
  readonly weightRegistry?: string
  /** Extra arguments per node (e.g. a test-only switch for one of them). */
  readonly extraArgs?: (spec: NodeLaunchSpec) => readonly string[]
  readonly env?: Readonly<Record<string, string>>
}

/**
 * V8 flags of every node process (docs/OPERATOR.md, "Node flags", gives operators the same advice):
 * - a 2 MiB semi-space instead of 16: an idle node's RSS is mostly a young generation grown for bursts it
 *   does not have; scavenges become more frequent and smaller.
 * - old space capped at 4 GiB, whatever the machine's memory (V8's default scales with it): a synthetic
 *   1M-post forum state with 2M state-tree nodes holds ≈ 0.9 GiB live, so this leaves ≥ 4× headroom.
 */
export const NODE_V8_FLAGS: readonly string[] = ['--max-semi-space-size=2', '--max-old-space-size=4096']

/** The real node: `node <NODE_V8_FLAGS> bin/agora.js node --data-dir D --genesis G --listen L --api-port A [...]`. */
export function agoraNodeCommand(opts: AgoraNodeOptions): NodeCommandFn {
  return (spec) => ({
    command: process.execPath,
    args: [...NODE_V8_FLAGS, AGORA_BIN, ...nodeArgs(spec, opts)],
    cwd: REPO_ROOT,
    // The devnet's keystores are sealed with an empty password, chosen on purpose (no warning, and a
    // password in the operator's shell does not lock the nodes out).
    env: { AGORA_PASSWORD: '', ...opts.env },
  })
}

/** The `node ...` arguments of the contract; shared with the fake node in tests. */
export function nodeArgs(spec: NodeLaunchSpec, opts: AgoraNodeOptions): string[] {
  const args = ['node', '--data-dir', spec.dataDir, '--genesis', opts.genesis, '--listen', spec.listen, '--api-port', String(spec.apiPort)]
  for (const b of spec.bootstrap) args.push('--bootstrap', b)
  if (opts.rpcUrl) args.push('--rpc-url', opts.rpcUrl)
  if (opts.weightRegistry) args.push('--weight-registry', opts.weightRegistry)
  if (opts.extraArgs) args.push(...opts.extraArgs(spec))
  return args
}
