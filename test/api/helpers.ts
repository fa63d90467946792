// Shared by the API tests: member mnemonics, the operator token, a plain-fetch GraphQL caller (deliberately
// not validator/api/client.ts) and one query touching every Query field. The nodes come from real-node.ts.
export const ABANDON = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about'
export const ZOO = 'zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo wrong'
export const API_TOKEN = 'test-operator-token-0123456789abcdef'

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
  balances(first: 50) { total items { member balance locked free credits } }
  balance(member: $member) { member balance locked free credits }
  posts(first: 50) { total items { id authors { member weightPpm } citations { post weightPpm target { id } } value content createdSlot } }
  post(id: $post) { id content }
  pools(first: 50) { total items { id post target { id } fee startSlot endSlot resolved passed quorumMet stakes { member amount inFavor } forTotal againstTotal } }
  openPools: pools(first: 50, openOnly: true) { total }
  pool(id: $pool) { id forTotal againstTotal }
  availability(first: 50) { total items { member amount untilEpoch exiting } }
  params { current { name value min max } pending { name value effectiveEpoch } }
  challenges(first: 50) { total items { id name version moduleHash owner status emissionSharePpm policy } }
  challenge(id: $challenge) { id status }
  submissions(first: 50) { total items { id miner challenge challengeDetail { id } payloadCid height committee reports { validator score fuelUsed outputHash deviating } finalScore final } }
  submission(id: $submission) { id final finalScore }
  epochs(first: 50) { total items { epoch uids miners weights weightsHash certificateSigners chainTx yuma } }
  epoch(epoch: 1) { epoch weights }
  checkpoints(first: 50) { total items { epoch height stateRoot signers cid } }
}`
