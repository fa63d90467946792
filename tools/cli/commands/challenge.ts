// `agora challenge build|publish|deprecate|retire|list`: compile the bundled challenges; publish a signed
// manifest with its module to the registry; post a lifecycle step; list the registry. With --pool-fee, a
// proposal or step also opens its governance pool once its post is decided (the step happens only when
// that pool passes, at the next epoch boundary for the evaluator).
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { createHash } from 'node:crypto'
import type { Command } from 'commander'
import { buildChallenges } from '../../../challenges/build.ts'
import { AgoraError, errorMessage } from '../../../core/errors.ts'
import { userPostId } from '../../../ledger/ids.ts'
import { signManifest } from '../../../registry/manifest.ts'
import type { ChallengeStatus } from '../../../registry/lifecycle.ts'
import type { NodeKeys } from '../../../core/crypto/keys.ts'
import { freshNonce, graphqlData } from '../../../validator/api/client.ts'
import { printJson } from '../output.ts'
import { openPoolOnPost } from './gov.ts'
import { printKv, readFileOrFail, submitTx, userKeys, withCommon, type CommonOpts } from './user.ts'

type PoolOpts = CommonOpts & { poolFee?: string; poolDuration?: string }
const POOL_FEE = ['--pool-fee <amount>', 'also open its governance pool with this fee (credits; at least govMinPoolFee)'] as const
const POOL_DURATION = ['--pool-duration <slots>', 'with --pool-fee: how long the pool is open (at least govMinDurationSlots, the default)'] as const

/** --pool-duration, checked before anything is sent. */
function poolDuration(o: PoolOpts): number | undefined {
  const d = o.poolDuration
  if (d === undefined) return undefined
  if (o.poolFee === undefined) throw new AgoraError('BAD_ARG', '--pool-duration needs --pool-fee')
  if (!/^\d+$/.test(d) || !Number.isSafeInteger(Number(d)) || Number(d) < 1) throw new AgoraError('BAD_ARG', `--pool-duration must be a positive integer, got ${JSON.stringify(d)}`)
  return Number(d)
}

const openPool = async (o: PoolOpts, keys: NodeKeys, post: string, duration: number | undefined) =>
  o.poolFee === undefined ? {} : openPoolOnPost(o, keys, post, o.poolFee, duration)

function printResult(o: CommonOpts, out: Record<string, unknown>): void {
  if (o.json) return printJson(out)
  printKv(Object.entries(out).map(([k, v]) => [k, String(v)]))
}

export function registerChallengeCommands(program: Command): void {
  const challenge = program.command('challenge').description('challenges: build, publish, lifecycle steps, the registry')
  challenge.command('build')
    .description('compile the bundled challenges with asc (asconfig.json) into challenges/build/')
    .option('--name <name...>', 'only these challenges')
    .option('--out <dir>', 'output directory (default challenges/build)')
    .option('--json', 'print JSON')
    .action(async (opts: { name?: string[]; out?: string; json?: boolean }) => {
      const built = await buildChallenges({ names: opts.name, outDir: opts.out })
      if (opts.json) printJson(built)
      else for (const b of built) process.stdout.write(`${b.name}: ${b.path} (${b.bytes} bytes, sha256 ${b.sha256})\n`)
    })

  withCommon(challenge.command('publish'), true)
    .description('sign a challenge manifest with your key and propose it (with its module) to the registry')
    .argument('<dir>', 'directory with manifest.json and the .wasm module')
    .option(...POOL_FEE)
    .option(...POOL_DURATION)
    .action(async (dir: string, o: PoolOpts) => printResult(o, await publish(dir, o)))

  for (const [name, to] of [['deprecate', 'deprecated'], ['retire', 'retired']] as const) {
    withCommon(challenge.command(name), true)
      .description(`post the lifecycle step "${to}" for a challenge (takes effect when its pool passes)`)
      .argument('<name>', 'challenge name')
      .option(...POOL_FEE)
      .option(...POOL_DURATION)
      .action(async (challengeName: string, o: PoolOpts) => printResult(o, await lifecycleStep(challengeName, to, o)))
  }

  withCommon(challenge.command('list'), false)
    .description("the node's challenge registry: name, version, status, module hash, emission share")
    .action(async (o: CommonOpts) => {
      type C = { name: string; version: string; status: string; moduleHash: string; emissionSharePpm: number }
      const d = await graphqlData<{ challenges: { items: C[] } }>(o.node, '{ challenges(first: 100) { items { name version status moduleHash emissionSharePpm } } }')
      if (o.json) return printJson(d.challenges.items)
      printKv(d.challenges.items.map((c) => [c.name, `${c.version}  ${c.status}  ${(c.emissionSharePpm / 10_000).toFixed(2)}%  ${c.moduleHash}`]))
    })
}

/**
 * <dir>/manifest.json (name, version, description, entryPoints, policy, emissionSharePpm[, committeeSize]
 * [, module]) and the module (manifest.module, else the one *.wasm in the dir): signs the manifest with your
 * key as owner and proposes it with the module bytes (nodes fetch them by hash from there).
 */
async function publish(dir: string, o: PoolOpts): Promise<Record<string, unknown>> {
  const duration = poolDuration(o)
  const manifestFile = join(dir, 'manifest.json')
  let raw: Record<string, unknown>
  try {
    raw = JSON.parse(readFileSync(manifestFile, 'utf8')) as Record<string, unknown>
  } catch (e) {
    throw new AgoraError('BAD_MANIFEST', `read ${manifestFile}: ${errorMessage(e)}`)
  }
  const module = readFileOrFail(typeof raw.module === 'string' ? join(dir, raw.module) : findWasm(dir), 'module')
  const { module: _m, owner: _o, moduleHash: _h, ...fields } = raw
  const keys = await userKeys(o)
  const manifest = { ...fields, moduleHash: createHash('sha256').update(module).digest('hex') } as Parameters<typeof signManifest>[1]
  let signed
  try {
    signed = signManifest(keys.ed25519Seed, manifest)
  } catch (e) {
    const issues = (e as { issues?: { path: PropertyKey[]; message: string }[] }).issues
    throw new AgoraError('BAD_MANIFEST', `${manifestFile}: ${issues ? issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`).join('; ') : errorMessage(e)}`)
  }
  // The governing post's id derives from the sender and the nonce (ledger/ids.ts).
  const nonce = freshNonce()
  const post = userPostId(keys.peerId, nonce)
  const receipt = await submitTx(o, 'proposeChallenge', { type: 'ProposeChallenge', post, signed }, { arg: 'module', bytes: module }, { keys, nonce })
  const out: Record<string, unknown> = { ...receipt, challenge: signed.manifest.name, version: signed.manifest.version, moduleHash: signed.manifest.moduleHash, post }
  Object.assign(out, await openPool(o, keys, post, duration))
  return out
}

async function lifecycleStep(name: string, to: ChallengeStatus, o: PoolOpts): Promise<Record<string, unknown>> {
  const duration = poolDuration(o)
  const keys = await userKeys(o)
  const nonce = freshNonce()
  const post = userPostId(keys.peerId, nonce)
  const body = { type: 'Post', id: post, authors: { [keys.peerId]: 1_000_000 }, citations: {}, payload: { kind: 'challenge', name, to } }
  const posted = await submitTx(o, 'post', body, undefined, { keys, nonce })
  const out: Record<string, unknown> = { challenge: name, to, post, postTx: posted.txId }
  Object.assign(out, await openPool(o, keys, post, duration))
  return out
}

function findWasm(dir: string): string {
  let files: string[]
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.wasm') && statSync(join(dir, f)).isFile())
  } catch (e) {
    throw new AgoraError('READ', `read challenge dir ${dir}: ${errorMessage(e)}`)
  }
  if (files.length !== 1) throw new AgoraError('BAD_MANIFEST', `${dir}: expected one .wasm module (found ${files.length}); name it with "module" in manifest.json`)
  return join(dir, files[0]!)
}
