// The supervisor's control endpoint on loopback, so a separate `agora nodes add|remove` invocation can ask
// the running supervisor (which owns the processes and the devnet glue's hooks) to act. A random token
// (kept in the 0600 nodes.json) must accompany every request.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { z } from 'zod'
import { AgoraError, errorMessage } from '../../core/errors.ts'
import { httpRequest } from './probe.ts'
import type { NodeRecord, Registry } from './registry.ts'

export interface ControlServer { readonly url: string; close(): Promise<void> }

export interface ControlHandlers {
  readonly token: string
  add(count: number): Promise<NodeRecord[]>
  remove(id: string): Promise<NodeRecord>
  list(): NodeRecord[]
}

const AddBody = z.object({ count: z.number().int().min(1).max(64) })
const RemoveBody = z.object({ id: z.string().min(1).max(100) })
const MAX_BODY = 4096

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (c: string) => { body += c; if (body.length > MAX_BODY) req.destroy(new Error('body too large')) })
    req.on('end', () => resolve(body))
    req.on('error', reject)
  })
}

function reply(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(value))
}

export function serveControl(h: ControlHandlers): Promise<ControlServer> {
  const server = createServer((req, res) => {
    void (async () => {
      if (req.headers['x-agora-token'] !== h.token) return reply(res, 401, { error: 'bad or missing token' })
      try {
        if (req.method === 'GET' && req.url === '/nodes') return reply(res, 200, { nodes: h.list() })
        if (req.method === 'POST' && req.url === '/nodes/add') {
          const body = AddBody.parse(JSON.parse(await readBody(req)))
          return reply(res, 200, { nodes: await h.add(body.count) })
        }
        if (req.method === 'POST' && req.url === '/nodes/remove') {
          const body = RemoveBody.parse(JSON.parse(await readBody(req)))
          return reply(res, 200, { node: await h.remove(body.id) })
        }
        reply(res, 404, { error: `no route ${req.method} ${req.url}` })
      } catch (e) {
        const code = e instanceof AgoraError ? e.code : e instanceof z.ZodError || e instanceof SyntaxError ? 'BAD_REQUEST' : 'INTERNAL'
        reply(res, code === 'INTERNAL' ? 500 : 400, { error: errorMessage(e), code })
      }
    })()
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()) }),
      })
    })
  })
}

const ErrorReply = z.object({ error: z.string(), code: z.string().optional() })

/** Ask the running supervisor of a devnet (from its registry) to act; errors come back as AgoraError. */
export async function controlRequest(reg: Registry, dir: string, path: '/nodes/add' | '/nodes/remove', body: unknown, timeoutMs: number): Promise<unknown> {
  if (!reg.supervisor?.controlUrl) throw new AgoraError('NO_SUPERVISOR', `no supervisor is running on ${dir} (start the network with agora devnet --dir ${dir})`)
  let r
  try {
    r = await httpRequest(`${reg.supervisor.controlUrl}${path}`, {
      method: 'POST', body: JSON.stringify(body), timeoutMs,
      headers: { 'content-type': 'application/json', 'x-agora-token': reg.supervisor.token },
    })
  } catch (e) {
    throw new AgoraError('NO_SUPERVISOR', `the supervisor of ${dir} (pid ${reg.supervisor.pid}) does not answer: ${errorMessage(e)}`)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(r.body)
  } catch {
    throw new AgoraError('BAD_REPLY', `the supervisor answered HTTP ${r.status} with a non-JSON body`)
  }
  if (r.status !== 200) {
    const err = ErrorReply.safeParse(parsed)
    throw new AgoraError(err.success ? err.data.code ?? 'SUPERVISOR_ERROR' : 'SUPERVISOR_ERROR', err.success ? err.data.error : `HTTP ${r.status}`)
  }
  return parsed
}
