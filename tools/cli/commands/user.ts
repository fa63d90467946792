// User commands that talk to a node's GraphQL API: submit, forum post, pool stake, availability stake and
// unstake (signed with the user's key: --data-dir keystore or $AGORA_MNEMONIC), and weights, checkpoint
// (read only; `status` is status.ts). Each prints a readable table, or one JSON object with --json.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { Command, Option } from 'commander'
import { deriveNodeKeys, type NodeKeys } from '../../../core/crypto/keys.ts'
import { cidOfBytes } from '../../../core/encoding.ts'
import { utf8 } from '../../../core/bytes.ts'
import { parseRep } from '../../../core/amount.ts'
import { AgoraError, errorMessage } from '../../../core/errors.ts'
import { userPostId } from '../../../ledger/ids.ts'
import { validatorKeysInput } from '../../../ledger/validator-keys.ts'
import { freshNonce, graphqlData, signTransaction, type TxBodyBase } from '../../../validator/api/client.ts'
import { DEFAULT_DATA_DIR, loadKeysFromDataDir } from './keys.ts'
import { printJson } from '../output.ts'

/** The devnet's first node API; the devnet assigns API ports from 7701. */
export const DEFAULT_NODE_URL = 'http://127.0.0.1:7701/graphql'
/** Post text up to this many bytes goes inline in the post body; longer text goes by content id. */
const INLINE_CONTENT_MAX = 128

export interface CommonOpts { node: string; dataDir?: string; password?: string; json?: boolean }

export const withCommon = (cmd: Command, signs: boolean): Command => {
  cmd.option('--node <url>', 'node GraphQL API URL (default: $AGORA_NODE or the local devnet)', process.env.AGORA_NODE ?? DEFAULT_NODE_URL)
    .option('--json', 'print JSON')
  if (signs) {
    cmd.option('--data-dir <dir>', `keystore data dir (default ${DEFAULT_DATA_DIR}; $AGORA_MNEMONIC takes precedence)`)
      .option('--password <pw>', 'keystore password (default: $AGORA_PASSWORD or empty)')
  }
  return cmd
}

/** The user's keys: $AGORA_MNEMONIC if set, else the keystore in --data-dir. */
export async function userKeys(o: CommonOpts): Promise<NodeKeys> {
  const mnemonic = process.env.AGORA_MNEMONIC
  if (mnemonic && !o.dataDir) return deriveNodeKeys(mnemonic)
  return (await loadKeysFromDataDir(resolve(o.dataDir ?? DEFAULT_DATA_DIR), o.password)).keys
}

const RECEIPT = 'txId type sender'
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64')

/**
 * Sign `body` with the user's key, send it through `mutation`, print the receipt. `at` gives the keys and
 * nonce when the caller derived an id from them (ledger/ids.ts: post and pool ids come from sender and nonce).
 */
export async function sendTx(o: CommonOpts, mutation: string, body: Record<string, unknown>, inline?: { arg: string; bytes: Uint8Array }, extra: Record<string, string> = {}, at?: { keys: NodeKeys; nonce: number }) {
  const receipt = { ...await submitTx(o, mutation, body, inline, at), ...extra }
  if (o.json) return printJson(receipt)
  printKv(Object.entries(receipt).map(([k, v]) => [k, String(v)]))
}

/** Sign and send one transaction; returns the node's receipt with the nonce used (prints nothing). */
export async function submitTx(o: CommonOpts, mutation: string, body: Record<string, unknown>, inline?: { arg: string; bytes: Uint8Array }, at?: { keys: NodeKeys; nonce: number }) {
  const keys = at?.keys ?? await userKeys(o)
  const full = { ...body, sender: keys.peerId, nonce: at?.nonce ?? freshNonce() } as TxBodyBase
  const tx = signTransaction(keys.ed25519Seed, full)
  const argDecl = inline ? `, $${inline.arg}: String` : ''
  const argUse = inline ? `, ${inline.arg}: $${inline.arg}` : ''
  const q = `mutation($tx: SignedTxInput!${argDecl}) { ${mutation}(tx: $tx${argUse}) { ${RECEIPT} } }`
  const data = await graphqlData<Record<string, { txId: string; type: string; sender: string }>>(o.node, q, { tx, ...(inline ? { [inline.arg]: b64(inline.bytes) } : {}) })
  return { ...data[mutation]!, nonce: full.nonce }
}

export function printKv(rows: [string, string][]): void {
  const w = Math.max(...rows.map(([k]) => k.length))
  process.stdout.write(rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n') + '\n')
}

export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()
  process.stdout.write([line(header), ...rows.map(line)].join('\n') + '\n')
}

/** REP amount given by a person ("12.5") → nano-REP decimal string for a body. */
export function nanoAmount(s: string, what: string): string {
  const v = parseRep(s)
  if (v <= 0n) throw new AgoraError('BAD_AMOUNT', `${what} must be positive, got ${s}`)
  return v.toString()
}

function positiveInt(s: string, what: string): number {
  if (!/^\d+$/.test(s) || !Number.isSafeInteger(Number(s)) || Number(s) < 1) throw new AgoraError('BAD_ARG', `${what} must be a positive integer, got ${JSON.stringify(s)}`)
  return Number(s)
}

function nonNegativeInt(s: string, what: string): number {
  if (!/^\d+$/.test(s) || !Number.isSafeInteger(Number(s))) throw new AgoraError('BAD_ARG', `${what} must be a non-negative integer, got ${JSON.stringify(s)}`)
  return Number(s)
}

/** "<id>:<ppm>" (an integer in PPM, or a fraction with a point like 0.25 or -1.0) → [id, ppm]. */
function parseWeighted(s: string, what: string): [string, number] {
  const i = s.lastIndexOf(':')
  const id = s.slice(0, i), w = s.slice(i + 1)
  if (i <= 0 || !/^-?\d+(\.\d{1,6})?$/.test(w)) throw new AgoraError('BAD_ARG', `${what} must be <id>:<weight> (PPM integer or a fraction like 0.25), got ${JSON.stringify(s)}`)
  const ppm = w.includes('.') ? Math.round(Number(w) * 1_000_000) : Number(w)
  if (Math.abs(ppm) > 1_000_000) throw new AgoraError('BAD_ARG', `${what} weight out of [-1, 1]: ${w}`)
  return [id, ppm]
}

const collect = (v: string, prev: string[] = []) => [...prev, v]

export function readFileOrFail(file: string, what: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(file))
  } catch (e) {
    throw new AgoraError('READ', `read ${what} ${file}: ${errorMessage(e)}`)
  }
}

export function registerUserCommands(program: Command): void {
  withCommon(program.command('submit'), true)
    .description('submit a payload as work for a challenge (signed by your key)')
    .requiredOption('--challenge <id>', 'challenge id')
    .requiredOption('--payload <file>', 'payload file (sent inline; the node gossips it and stores it by cid)')
    .option('--epoch <n>', 'the epoch whose instance the payload solves (default: the node\'s current epoch)')
    .action(async (o: CommonOpts & { challenge: string; payload: string; epoch?: string }) => {
      const bytes = readFileOrFail(o.payload, 'payload')
      const payloadCid = cidOfBytes(bytes)
      // Work is for one epoch's instance: the ledger refuses it in any other epoch (STALE_EPOCH).
      const epoch = o.epoch !== undefined ? nonNegativeInt(o.epoch, '--epoch') : (await graphqlData<{ node: { epoch: number } }>(o.node, '{ node { epoch } }')).node.epoch
      await sendTx(o, 'submit', { type: 'Submission', challenge: o.challenge, epoch, payloadCid, payloadBytes: bytes.length }, { arg: 'payload', bytes }, { payloadCid })
    })

  const forum = program.commands.find((c) => c.name() === 'forum') ?? program.command('forum').description('forum, reputation and validation pools')
  withCommon(forum.command('post'), true)
    .description('publish a forum post (you are the author unless --author is given)')
    .requiredOption('--title <text>', 'title')
    .option('--content <text>', 'body text')
    .option('--cite <post:weight>', 'cite a post; weight in PPM or as a fraction in [-1, 1] (repeatable)', collect)
    .option('--author <member:ppm>', 'author and weight in PPM, weights summing to 1000000 (repeatable)', collect)
    .action(async (o: CommonOpts & { title: string; content?: string; cite?: string[]; author?: string[] }) => {
      const keys = await userKeys(o)
      const authors = o.author?.length ? Object.fromEntries(o.author.map((a) => parseWeighted(a, '--author'))) : { [keys.peerId]: 1_000_000 }
      const citations = Object.fromEntries((o.cite ?? []).map((c) => parseWeighted(c, '--cite')))
      const text = o.content ? `${o.title}\n\n${o.content}` : o.title
      const textBytes = utf8(text)
      const inline = textBytes.length <= INLINE_CONTENT_MAX
      const nonce = freshNonce()
      const id = userPostId(keys.peerId, nonce)
      await sendTx(o, 'post', { type: 'Post', id, authors, citations, content: inline ? text : cidOfBytes(textBytes) },
        inline ? undefined : { arg: 'content', bytes: textBytes }, { post: id }, { keys, nonce })
    })

  const pool = program.commands.find((c) => c.name() === 'pool') ?? program.command('pool').description('validation pools')
  withCommon(pool.command('stake'), true)
    .description('stake REP for or against a validation pool')
    .argument('<pool>', 'pool id')
    .addOption(new Option('--for <amount>', 'REP staked in favour').conflicts('against'))
    .addOption(new Option('--against <amount>', 'REP staked against').conflicts('for'))
    .action(async (poolId: string, o: CommonOpts & { for?: string; against?: string }) => {
      const amount = o.for ?? o.against
      if (!amount) throw new AgoraError('BAD_ARG', 'give --for <amount> or --against <amount>')
      await sendTx(o, 'stake', { type: 'Stake', pool: poolId, amount: nanoAmount(amount, 'amount'), inFavor: o.for !== undefined }, undefined, { pool: poolId })
    })

  const availability = program.commands.find((c) => c.name() === 'availability') ?? program.command('availability').description('availability stakes (eligibility for duties)')
  withCommon(availability.command('stake'), true)
    .description('lock REP for a number of epochs to be eligible for duties')
    .argument('<amount>', 'REP to lock')
    .requiredOption('--epochs <n>', 'number of epochs')
    .action(async (amount: string, o: CommonOpts & { epochs: string }) => {
      // The stake registers the keys the validator certifies with (BLS with proof of possession, EVM address).
      const keys = await userKeys(o)
      await sendTx(o, 'stakeAvailability', { type: 'StakeAvailability', amount: nanoAmount(amount, 'amount'), epochs: positiveInt(o.epochs, '--epochs'), keys: validatorKeysInput(keys, keys.peerId) })
    })
  withCommon(availability.command('unstake'), true)
    .description('leave the validator set at the next epoch boundary (REP unlocks at the stake\'s unlock epoch)')
    .action(async (o: CommonOpts) => {
      await sendTx(o, 'unstakeAvailability', { type: 'UnstakeAvailability' })
    })

  // The newest epoch record is often the one just closed, not yet certified or with no scores: the default
  // is the newest of the recent ones that has certified weights.
  const RECENT_EPOCHS = 16
  const latestWithWeights = <E extends { uids: number[]; certificateSigners: string[] }>(items: E[]): E | null =>
    items.find((e) => e.uids.length > 0 && e.certificateSigners.length > 0) ?? null
  withCommon(program.command('weights'), false)
    .description("show an epoch's certified weights (default: the latest)")
    .option('--epoch <e>', 'epoch number')
    .action(async (o: CommonOpts & { epoch?: string }) => {
      const fields = 'epoch uids miners weights weightsHash certificateSigners chainTx'
      type E = { epoch: number; uids: number[]; miners: string[]; weights: number[]; weightsHash: string; certificateSigners: string[]; chainTx: string | null }
      const e = o.epoch !== undefined
        ? (await graphqlData<{ epoch: E | null }>(o.node, `query($e: Int!) { epoch(epoch: $e) { ${fields} } }`, { e: nonNegInt(o.epoch, '--epoch') })).epoch
        : latestWithWeights((await graphqlData<{ epochs: { items: E[] } }>(o.node, `{ epochs(first: ${RECENT_EPOCHS}) { items { ${fields} } } }`)).epochs.items)
      if (!e) throw new AgoraError('NOT_FOUND', o.epoch !== undefined ? `no weights for epoch ${o.epoch}` : 'no epoch has certified weights yet')
      if (o.json) return printJson(e)
      printKv([['epoch', String(e.epoch)], ['weights hash', e.weightsHash], ['signers', String(e.certificateSigners.length)], ['chain tx', e.chainTx ?? '-']])
      process.stdout.write('\n')
      printTable(['uid', 'miner', 'weight'], e.uids.map((u, i) => [String(u), e.miners[i] ?? '?', String(e.weights[i])]))
    })

  withCommon(program.command('checkpoint'), false)
    .description('show a certified checkpoint (default: the latest)')
    .option('--epoch <e>', 'epoch number')
    .action(async (o: CommonOpts & { epoch?: string }) => {
      const want = o.epoch !== undefined ? nonNegInt(o.epoch, '--epoch') : null
      type C = { epoch: number; height: number; stateRoot: string; signers: string[]; cid: string | null }
      let found: C | null = null
      let after: string | null = null
      // Checkpoints are listed newest first; page until the wanted epoch (bounded by the list's size).
      for (let pages = 0; pages < 1000 && !found; pages++) {
        const d: { checkpoints: { nextCursor: string | null; items: C[] } } = await graphqlData(o.node,
          `query($after: String) { checkpoints(first: 100, after: $after) { nextCursor items { epoch height stateRoot signers cid } } }`, { after })
        found = want === null ? d.checkpoints.items[0] ?? null : d.checkpoints.items.find((c) => c.epoch === want) ?? null
        after = d.checkpoints.nextCursor
        if (!after || want === null) break
      }
      if (!found) throw new AgoraError('NOT_FOUND', want !== null ? `no checkpoint for epoch ${want}` : 'no checkpoint yet')
      if (o.json) return printJson(found)
      printKv([['epoch', String(found.epoch)], ['height', String(found.height)], ['state root', found.stateRoot], ['cid', found.cid ?? '-'], ['signers', found.signers.join(', ')]])
    })
}

function nonNegInt(s: string, what: string): number {
  if (!/^\d+$/.test(s) || !Number.isSafeInteger(Number(s))) throw new AgoraError('BAD_ARG', `${what} must be a non-negative integer, got ${JSON.stringify(s)}`)
  return Number(s)
}
