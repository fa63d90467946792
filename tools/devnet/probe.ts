// Talking to a running node from outside: its node.json, /livez, /readyz and the GraphQL `info` query.
// Every call has a timeout (a SIGSTOPped node accepts TCP connections but never answers).
import { request } from 'node:http'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'

export const NODE_JSON = 'node.json'
export const NODE_LOG = 'node.log'

/** What a node writes to `<dataDir>/node.json` once it has started (the node/supervisor contract). */
export const NodeJsonSchema = z.object({
  pid: z.number().int().positive(),
  peerId: z.string(),
  multiaddrs: z.array(z.string()),
  apiUrl: z.string(),
  startedAt: z.union([z.string(), z.number()]),
})
export type NodeJson = z.infer<typeof NodeJsonSchema>

/** The node's node.json, or null when absent/unreadable/invalid; `mtimeMs` tells a fresh file from a stale one. */
export function readNodeJson(dataDir: string): (NodeJson & { mtimeMs: number }) | null {
  const file = join(dataDir, NODE_JSON)
  try {
    const parsed = NodeJsonSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')))
    return parsed.success ? { ...parsed.data, mtimeMs: statSync(file).mtimeMs } : null
  } catch {
    return null
  }
}

export interface HttpResult { readonly status: number; readonly body: string }

export function httpRequest(url: string, opts: { method?: string; body?: string; headers?: Record<string, string>; timeoutMs: number }): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? 'GET', headers: opts.headers, agent: false, timeout: opts.timeoutMs }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }))
      res.on('error', reject)
    })
    // `timeout` fires on socket inactivity; destroy turns it into an error for the caller.
    req.on('timeout', () => req.destroy(new Error(`timeout after ${opts.timeoutMs} ms: ${url}`)))
    req.on('error', reject)
    if (opts.body !== undefined) req.write(opts.body)
    req.end()
  })
}

export const apiBase = (apiPort: number) => `http://127.0.0.1:${apiPort}`

/** true when /livez answers 200 within the timeout. */
export async function probeLive(apiPort: number, timeoutMs: number): Promise<boolean> {
  try {
    return (await httpRequest(`${apiBase(apiPort)}/livez`, { timeoutMs })).status === 200
  } catch {
    return false
  }
}

export interface Readiness { readonly ready: boolean; readonly reason: string | null }

export async function probeReady(apiPort: number, timeoutMs: number): Promise<Readiness> {
  try {
    const r = await httpRequest(`${apiBase(apiPort)}/readyz`, { timeoutMs })
    let reason: string | null = null
    try {
      const body = JSON.parse(r.body) as { reason?: unknown }
      if (typeof body.reason === 'string') reason = body.reason
    } catch {
      // A plain-text body: "not ready: <reason>" (validator/api/server.ts) or anything short.
      const text = r.body.trim()
      if (text) reason = text.replace(/^not ready:\s*/, '').slice(0, 200)
    }
    return { ready: r.status === 200, reason: r.status === 200 ? null : reason ?? `HTTP ${r.status}` }
  } catch (e) {
    return { ready: false, reason: (e as Error).message }
  }
}

/** NodeInfoDto's fields the operator side shows (validator/api/view.ts). */
export const NodeInfoSchema = z.object({
  peerId: z.string(),
  height: z.number(),
  slot: z.number(),
  epoch: z.number(),
  stateRoot: z.string(),
  peers: z.array(z.string()),
  synced: z.boolean(),
  lastCertifiedEpoch: z.number().nullable(),
})
export type NodeInfo = z.infer<typeof NodeInfoSchema>

const INFO_QUERY = '{ info: node { peerId height slot epoch stateRoot peers synced lastCertifiedEpoch } }'

/** The node's `info` over GraphQL, or null when it does not answer in time or answers nonsense. */
export async function queryInfo(apiPort: number, timeoutMs: number): Promise<NodeInfo | null> {
  try {
    const r = await httpRequest(`${apiBase(apiPort)}/graphql`, {
      method: 'POST', timeoutMs, body: JSON.stringify({ query: INFO_QUERY }),
      headers: { 'content-type': 'application/json', accept: 'application/json' },
    })
    if (r.status !== 200) return null
    const parsed = z.object({ data: z.object({ info: NodeInfoSchema }) }).safeParse(JSON.parse(r.body))
    return parsed.success ? parsed.data.data.info : null
  } catch {
    return null
  }
}
