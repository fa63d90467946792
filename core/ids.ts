// Typed ids: branded strings so a PostId is never passed where a PoolId is expected.
declare const brand: unique symbol
export type Brand<T, B extends string> = T & { readonly [brand]: B }

export type PeerIdStr = Brand<string, 'PeerId'>
export type Address = Brand<string, 'Address'> // 0x-prefixed, checksummed EVM address
export type MemberId = Brand<string, 'MemberId'> // a REP holder: validator, miner, author
export type PostId = Brand<string, 'PostId'>
export type PoolId = Brand<string, 'PoolId'>
export type ChallengeId = Brand<string, 'ChallengeId'>
export type SubmissionId = Brand<string, 'SubmissionId'>
export type Cid = Brand<string, 'Cid'>
export type Height = number
export type Slot = number
export type Epoch = number

