// Test setup for the API: two linked fake nodes (test/api/fake-node.ts) each behind a real API server,
// a seeded genesis, member keys, and a plain-fetch GraphQL caller (deliberately not validator/api/client.ts).
import { Registry } from 'prom-client'
import { deriveNodeKeys, type NodeKeys } from '../../core/crypto/keys.ts'
import { ONE_REP } from '../../core/amount.ts'
import { createApiServer, type ApiServer } from '../../validator/api/server.ts'
import type { ApiLimits } from '../../validator/api/limits.ts'
import { createFakeNode, type FakeNode } from './fake-node.ts'

export const ABANDON = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about'
export const ZOO = 'zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo wrong'
export const LEGAL = 'legal winner thank year wave sausage worth useful legal winner thank yellow'
export const LETTER = 'letter advice cage absurd amount doctor acoustic avoid letter advice cage above'
export const API_TOKEN = 'test-operator-token-0123456789abcdef'

export interface Net {
  user: NodeKeys; poor: NodeKeys; nodes: FakeNode[]; servers: ApiServer[]; registries: Registry[]
  produce(): void
  close(): Promise<void>
}

export const SUM_CHALLENGE = {
  id: 'sum', name: 'sum', version: '1.0.0', moduleHash: '0x' + 'ab'.repeat(32), owner: 'cd'.repeat(32), status: 'active',
  emissionSharePpm: 1_000_000, policy: JSON.stringify({ fuelLimit: 1000000, memoryPages: 16, hostFunctions: ['input_read'], floats: 'deny' }),
}

export async function startNet(opts: { limits?: Partial<ApiLimits>; count?: number } = {}): Promise<Net> {
  const [user, poor, v1, v2] = await Promise.all([ABANDON, ZOO, LEGAL, LETTER].map((m) => deriveNodeKeys(m)))
  const validators = [v1.peerId, v2.peerId].sort()
  const genesis = (peerId: string) => ({
    peerId, validators,
    balances: { [user.peerId]: 1000n * ONE_REP, [poor.peerId]: ONE_REP, [v1.peerId]: 500n * ONE_REP, [v2.peerId]: 500n * ONE_REP },
    challenges: [SUM_CHALLENGE, { ...SUM_CHALLENGE, id: 'old', name: 'old', status: 'retired' }],
    posts: [{ id: 'p0', authors: [{ member: v1.peerId, weightPpm: 1_000_000 }], citations: [], value: '10', content: 'genesis post', createdSlot: 0 }],
    pools: [{ id: 'pool0', post: 'p0', fee: 10n * ONE_REP, endSlot: 100 }],
  })
  const count = opts.count ?? 2
  const nodes = [v1.peerId, v2.peerId].slice(0, count).map((p) => createFakeNode(genesis(p)))
  for (const a of nodes) for (const b of nodes) if (a !== b) a.link(b)
  const registries = nodes.map(() => new Registry())
  const servers = await Promise.all(nodes.map((n, i) => createApiServer({
    view: n, actions: n, events: n, port: 0, host: '127.0.0.1', apiToken: API_TOKEN,
    limits: { ratePerSecond: 10_000, rateBurst: 10_000, ...opts.limits }, metricsRegistry: registries[i]!,
    health: { live: () => true, ready: () => (n.info().height > 0 ? { ready: true } : { ready: false, reason: 'no block decided yet' }) },
  })))
  return {
    user, poor, nodes, servers, registries,
    produce: () => { for (const n of nodes) n.produceBlock() },
    close: async () => { await Promise.all(servers.map((s) => s.close())) },
  }
}

export interface GqlResult<T = any> { status: number; data: T; errors?: { message: string; extensions?: { code?: string } }[] }

/** POST a GraphQL request with plain fetch. */
export async function gql<T = any>(url: string, query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<GqlResult<T>> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) })
  const json = (await res.json()) as { data: T; errors?: GqlResult['errors'] }
  return { status: res.status, data: json.data, ...(json.errors ? { errors: json.errors } : {}) }
}

export const codeOf = (r: GqlResult) => r.errors?.[0]?.extensions?.code

/** One query touching every Query field (pages with first: 50), used for state snapshots and cross-node checks. */
export const ALL_STATE = /* GraphQL */ `
query All($member: String!, $post: String!, $pool: String!, $challenge: String!, $submission: String!) {
  node { networkId height slot epoch stateRoot synced lastCertifiedEpoch }
  blocks(first: 50) { total nextCursor items { height slot epoch hash prevHash prevStateRoot stateRoot proposer txCount certificateSigners } }
  block(height: 1) { height hash }
  validators(first: 50) { total items { peerId evmAddress power powerPpm blsPublicKey } }
  balances(first: 50) { total items { member balance locked free } }
  balance(member: $member) { member balance locked free }
  posts(first: 50) { total items { id authors { member weightPpm } citations { post weightPpm target { id } } value content createdSlot } }
  post(id: $post) { id content }
  pools(first: 50) { total items { id post target { id } fee startSlot endSlot resolved passed quorumMet stakes { member amount inFavor } forTotal againstTotal } }
  openPools: pools(first: 50, openOnly: true) { total }
  pool(id: $pool) { id forTotal againstTotal }
  availability(first: 50) { total items { member amount untilEpoch } }
  params { current { name value min max } pending { name value effectiveEpoch } }
  challenges(first: 50) { total items { id name version moduleHash owner status emissionSharePpm policy } }
  challenge(id: $challenge) { id status }
  submissions(first: 50) { total items { id miner challenge challengeDetail { id } payloadCid height committee reports { validator score fuelUsed outputHash deviating } finalScore final } }
  submission(id: $submission) { id final finalScore }
  epochs(first: 50) { total items { epoch uids miners weights weightsHash certificateSigners chainTx yuma } }
  epoch(epoch: 1) { epoch weights }
  checkpoints(first: 50) { total items { epoch height stateRoot signers cid } }
}`
