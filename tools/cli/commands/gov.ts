// `agora gov ...`: `propose --set key=value [--pool-fee n]` posts a parameter change (and, with a fee,
// opens its governance pool once the post is decided); `policy` shows or edits this node's voting policy
// file in its data dir (validator/app/vote-policy.ts), read by the node's POOL_VOTE duty.
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { AgoraError } from '../../../core/errors.ts'
import { graphqlData, freshNonce } from '../../../validator/api/client.ts'
import { userPoolId, userPostId } from '../../../ledger/ids.ts'
import { loadVotePolicy, saveVotePolicy, votePolicyPath } from '../../../validator/app/vote-policy.ts'
import type { VotePolicy } from '../../../validator/core/pool-voter.ts'
import type { NodeKeys } from '../../../core/crypto/keys.ts'
import { DEFAULT_DATA_DIR } from './keys.ts'
import { printJson } from '../output.ts'
import { nanoAmount, printKv, submitTx, userKeys, withCommon, type CommonOpts } from './user.ts'

/** How long `propose --pool-fee` waits for its post to be decided before opening the pool. */
const POST_WAIT_MS = 120_000
const POLL_MS = 1_000
const CHOICES = ['for', 'against', 'abstain'] as const

const collect = (v: string, prev: string[] = []) => [...prev, v]

/** "key=value" → [key, integer | boolean]. */
function parseSetting(s: string): [string, number | boolean] {
  const i = s.indexOf('=')
  const key = s.slice(0, i), raw = s.slice(i + 1)
  if (i <= 0) throw new AgoraError('BAD_ARG', `--set must be key=value, got ${JSON.stringify(s)}`)
  if (raw === 'true' || raw === 'false') return [key, raw === 'true']
  if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) throw new AgoraError('BAD_ARG', `--set ${key}: value must be an integer or true/false, got ${JSON.stringify(raw)}`)
  return [key, Number(raw)]
}

/** Poll the node until `post` is in its state (decided), or fail after POST_WAIT_MS. */
export async function waitForPost(node: string, post: string): Promise<void> {
  const deadline = Date.now() + POST_WAIT_MS
  for (;;) {
    const d = await graphqlData<{ post: { id: string } | null }>(node, 'query($id: String!) { post(id: $id) { id } }', { id: post })
    if (d.post) return
    if (Date.now() > deadline) throw new AgoraError('TIMEOUT', `post ${post} was not decided within ${POST_WAIT_MS / 1000} s (was it refused? see the node's log)`)
    await new Promise((r) => setTimeout(r, POLL_MS))
  }
}

/** Wait until `post` is decided, then open its (governance) pool with `poolFee` credits (and `durationSlots`, if given). */
export async function openPoolOnPost(o: CommonOpts, keys: NodeKeys, post: string, poolFee: string, durationSlots?: number): Promise<{ pool: string; poolTx: string }> {
  const fee = nanoAmount(poolFee, '--pool-fee')
  await waitForPost(o.node, post)
  const nonce = freshNonce()
  const pool = userPoolId(keys.peerId, nonce)
  const body = { type: 'InitiatePool', id: pool, post, fee, ...(durationSlots !== undefined ? { durationSlots } : {}) }
  const opened = await submitTx(o, 'initiatePool', body, undefined, { keys, nonce })
  return { pool, poolTx: opened.txId }
}

export function registerGovCommands(program: Command): void {
  const gov = program.command('gov').description('governance: parameter changes and this node\'s voting policy')

  withCommon(gov.command('propose'), true)
    .description('post a parameter change (takes effect at the epoch boundary after its pool passes)')
    .requiredOption('--set <key=value>', 'parameter and new value (repeatable)', collect)
    .option('--pool-fee <amount>', 'also open its governance pool with this fee (credits; at least govMinPoolFee)')
    .option('--title <text>', 'post content')
    .action(async (o: CommonOpts & { set: string[]; poolFee?: string; title?: string }) => {
      const changes = Object.fromEntries(o.set.map(parseSetting))
      const keys = await userKeys(o)
      const nonce = freshNonce()
      const post = userPostId(keys.peerId, nonce)
      const body = { type: 'Post', id: post, authors: { [keys.peerId]: 1_000_000 }, citations: {}, payload: { kind: 'params', changes }, ...(o.title ? { content: o.title } : {}) }
      const posted = await submitTx(o, 'post', body, undefined, { keys, nonce })
      const out: Record<string, unknown> = { post, postTx: posted.txId, changes }
      if (o.poolFee !== undefined) Object.assign(out, await openPoolOnPost(o, keys, post, o.poolFee))
      if (o.json) return printJson(out)
      printKv(Object.entries(out).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]))
    })

  gov.command('policy')
    .description(`show or edit this node's voting policy (<data dir>/${'vote-policy.json'})`)
    .option('--data-dir <dir>', `node data dir (default ${DEFAULT_DATA_DIR})`)
    .option('--default <choice>', 'vote on changes inside the safe envelope and on no list: for | against | abstain')
    .option('--outside-envelope <choice>', 'vote on changes outside the safe envelope')
    .option('--param <key=choice>', 'vote on any change of a parameter (choice "none" removes it; repeatable)', collect)
    .option('--challenge <name=choice>', 'vote on a challenge\'s lifecycle steps (repeatable)', collect)
    .option('--post <id=choice>', 'vote on one post\'s pool (repeatable)', collect)
    .option('--range <key=min:max>', 'narrow the safe envelope of a parameter ("none" removes; repeatable)', collect)
    .option('--stake-ppm <n>', 'share of free REP staked on a governance vote (PPM)')
    .option('--dispute-stake-ppm <n>', 'share of free REP staked on a dispute vote (PPM)')
    .option('--json', 'print JSON')
    .action((o: PolicyOpts) => {
      const dir = resolve(o.dataDir ?? DEFAULT_DATA_DIR)
      const cur = loadVotePolicy(dir)
      const next = editPolicy(cur, o)
      const policy = next === cur ? cur : saveVotePolicy(dir, next)
      if (o.json) return printJson({ path: votePolicyPath(dir), policy })
      process.stdout.write(`${votePolicyPath(dir)}\n${JSON.stringify(policy, null, 2)}\n`)
    })
}

interface PolicyOpts {
  dataDir?: string; default?: string; outsideEnvelope?: string; param?: string[]; challenge?: string[]; post?: string[]
  range?: string[]; stakePpm?: string; disputeStakePpm?: string; json?: boolean
}

/** Apply the edit flags to a copy of the policy (returns `cur` itself when there is nothing to edit). */
function editPolicy(cur: VotePolicy, o: PolicyOpts): VotePolicy {
  const edits = [o.default, o.outsideEnvelope, o.param, o.challenge, o.post, o.range, o.stakePpm, o.disputeStakePpm]
  if (edits.every((e) => e === undefined)) return cur
  const p: VotePolicy = structuredClone(cur)
  const choice = (v: string, what: string) => {
    if (!(CHOICES as readonly string[]).includes(v)) throw new AgoraError('BAD_ARG', `${what} must be for, against or abstain, got ${JSON.stringify(v)}`)
    return v as VotePolicy['default']
  }
  const pairs = (list: string[] | undefined, what: string, into: Record<string, string>) => {
    for (const s of list ?? []) {
      const i = s.lastIndexOf('=')
      if (i <= 0) throw new AgoraError('BAD_ARG', `${what} must be name=choice, got ${JSON.stringify(s)}`)
      const k = s.slice(0, i), v = s.slice(i + 1)
      if (v === 'none') delete into[k]
      else into[k] = choice(v, what)
    }
  }
  if (o.default) p.default = choice(o.default, '--default')
  if (o.outsideEnvelope) p.outsideEnvelope = choice(o.outsideEnvelope, '--outside-envelope')
  pairs(o.param, '--param', p.params)
  pairs(o.challenge, '--challenge', p.challenges)
  pairs(o.post, '--post', p.posts)
  for (const s of o.range ?? []) {
    const m = /^([^=]+)=(?:(-?\d+):(-?\d+)|none)$/.exec(s)
    if (!m) throw new AgoraError('BAD_ARG', `--range must be key=min:max or key=none, got ${JSON.stringify(s)}`)
    if (m[2] === undefined) delete p.envelope[m[1]!]
    else p.envelope[m[1]!] = [Number(m[2]), Number(m[3])]
  }
  if (o.stakePpm !== undefined) p.stakePpm = Number(o.stakePpm)
  if (o.disputeStakePpm !== undefined) p.disputeStakePpm = Number(o.disputeStakePpm)
  return p
}
