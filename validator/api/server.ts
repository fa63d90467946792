// The node's HTTP API: graphql-yoga 5 on node:http. Routes: / and /dashboard/* (the dashboard), /graphql
// (GraphiQL for browsers, SSE subscriptions), /metrics (Prometheus text of the Registry passed in), /livez, /readyz. Protection runs
// before GraphQL (per-IP token bucket, body size) and before execution (depth and cost of the operation).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createHash, timingSafeEqual } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { createSchema, createYoga, maskError, type Plugin } from 'graphql-yoga'
import type { ExecutionArgs } from 'graphql'
import type { Registry } from 'prom-client'
import { isAgoraError } from '../../core/errors.ts'
import { typeDefs } from './schema.ts'
import { buildResolvers, createEventPubSub, type ApiContext } from './resolvers.ts'
import { DEFAULT_LIMITS, createRateLimiter, measureOperation, type ApiLimits } from './limits.ts'
import { apiError, errorBody, HTTP_STATUS, type ApiErrorCode } from './errors.ts'
import { createApiMetrics, type ApiMetrics } from './metrics.ts'
import type { NodeActions, NodeEvents, NodeView } from './view.ts'
import { loadDashboard } from './dashboard/serve.ts'

export interface ApiHealth {
  live(): boolean
  ready(): { ready: boolean; reason?: string }
}

export interface ApiServerOptions {
  readonly view: NodeView
  readonly actions: NodeActions
  readonly events: NodeEvents
  /** 0 = an ephemeral port. */
  readonly port: number
  readonly host?: string
  /** Operator token; operator-only mutations are disabled without one. */
  readonly apiToken?: string | null
  readonly limits?: Partial<ApiLimits>
  readonly metricsRegistry?: Registry
  readonly health?: ApiHealth
  /** Called with unexpected resolver errors (masked as "Unexpected error." for clients); e.g. the node's logger. */
  readonly onUnexpectedError?: (error: unknown) => void
}

export interface ApiServer {
  /** Base URL of /graphql, e.g. http://127.0.0.1:7701/graphql */
  readonly url: string
  readonly port: number
  close(): Promise<void>
}

export async function createApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  const limits: ApiLimits = { ...DEFAULT_LIMITS, ...opts.limits }
  const host = opts.host ?? '127.0.0.1'
  const metrics = opts.metricsRegistry ? createApiMetrics(opts.metricsRegistry) : null
  const pubsub = createEventPubSub()
  const unsubscribe = opts.events.subscribe((e) => {
    if (e.type === 'block') pubsub.publish('block', e.block)
    else if (e.type === 'finalScore') pubsub.publish('finalScore', e.submission)
    else if (e.type === 'poolOutcome') pubsub.publish('poolOutcome', e.pool)
    else pubsub.publish('certifiedEpoch', e.epoch)
  })
  const schema = createSchema<ApiContext>({
    typeDefs,
    resolvers: buildResolvers({ view: opts.view, actions: opts.actions, pubsub, limits, metrics, operatorEnabled: !!opts.apiToken }),
  })
  const yoga = createYoga<ApiContext>({
    schema,
    graphqlEndpoint: '/graphql',
    graphiql: { title: 'Agora node' },
    landingPage: false,
    logging: false,
    plugins: [queryLimitsPlugin(limits, metrics)],
    maskedErrors: {
      // An AgoraError from the node is a typed refusal (its code goes out); anything else is a bug, masked.
      maskError(error, message, isDev) {
        const original = (error as { originalError?: unknown }).originalError ?? error
        if (isAgoraError(original)) return apiError(original.code as ApiErrorCode, original.message)
        opts.onUnexpectedError?.(original)
        return maskError(error, message, isDev)
      },
    },
  })
  const dashboard = loadDashboard()
  const limiter = createRateLimiter(limits.ratePerSecond, limits.rateBurst)
  const tokenDigest = opts.apiToken ? sha256(opts.apiToken) : null
  const isAuthorized = (h: string | undefined) => {
    const m = tokenDigest && h ? /^Bearer\s+(\S+)$/i.exec(h) : null
    return !!m && timingSafeEqual(sha256(m[1]!), tokenDigest!)
  }

  const refuse = (res: ServerResponse, code: ApiErrorCode, message: string) => {
    metrics?.refused.inc({ code })
    res.writeHead(HTTP_STATUS[code] ?? 400, { 'content-type': 'application/json', ...(code === 'RATE_LIMITED' ? { 'retry-after': '1' } : {}) })
    res.end(errorBody(code, message))
  }

  const handleGraphql = async (req: IncomingMessage, res: ServerResponse) => {
    const clientIp = req.socket.remoteAddress ?? 'unknown'
    if (!limiter.take(clientIp)) return refuse(res, 'RATE_LIMITED', `rate limit: at most ${limits.ratePerSecond} requests/s (burst ${limits.rateBurst}) per client`)
    const declared = Number(req.headers['content-length'] ?? 0)
    if (declared > limits.maxBodyBytes) {
      res.setHeader('connection', 'close')
      return refuse(res, 'BODY_TOO_LARGE', `request body over ${limits.maxBodyBytes} bytes`)
    }
    const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : await readBody(req, limits.maxBodyBytes)
    if (body === null) {
      res.setHeader('connection', 'close')
      return refuse(res, 'BODY_TOO_LARGE', `request body over ${limits.maxBodyBytes} bytes`)
    }
    // A closed connection aborts the request, which ends SSE subscriptions and their pub/sub listeners.
    const abort = new AbortController()
    res.on('close', () => abort.abort())
    const headers = new Headers()
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v)
    const request = new Request(`http://${req.headers.host ?? host}${req.url ?? '/'}`, {
      method: req.method ?? 'GET', headers, body: body && body.length ? (body as Uint8Array<ArrayBuffer>) : undefined, signal: abort.signal,
    })
    const response = await yoga.fetch(request, { clientIp, authorized: isAuthorized(req.headers.authorization) })
    res.writeHead(response.status, Object.fromEntries(response.headers))
    if (!response.body) return void res.end()
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        if (res.destroyed) break
        res.write(chunk)
      }
    } catch {
      // the client went away mid-stream; nothing to answer
    }
    res.end()
  }

  const server = createServer((req, res) => {
    const started = process.hrtime.bigint()
    const path = (req.url ?? '/').split('?')[0]!
    const route = ['/graphql', '/metrics', '/livez', '/readyz'].includes(path) ? path : dashboard.asset(path) ? '/dashboard' : 'other'
    res.on('finish', () => {
      metrics?.requests.inc({ route, status: String(res.statusCode) })
      metrics?.duration.observe({ route }, Number(process.hrtime.bigint() - started) / 1e9)
    })
    route_(req, res, route, path).catch((e: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' })
        res.end(errorBody('REJECTED', `internal error: ${(e as Error).message}`))
      } else res.destroy()
    })
  })

  const route_ = async (req: IncomingMessage, res: ServerResponse, route: string, path: string) => {
    if (route === '/graphql') return handleGraphql(req, res)
    if (route === '/dashboard') {
      const a = dashboard.asset(path)!
      res.writeHead(200, a.headers)
      return void res.end(req.method === 'HEAD' ? undefined : a.body)
    }
    if (route === '/livez') {
      const live = opts.health?.live() ?? true
      res.writeHead(live ? 200 : 503, { 'content-type': 'text/plain' })
      return void res.end(live ? 'ok\n' : 'not live\n')
    }
    if (route === '/readyz') {
      const r = opts.health?.ready() ?? { ready: true }
      res.writeHead(r.ready ? 200 : 503, { 'content-type': 'text/plain' })
      return void res.end(r.ready ? 'ready\n' : `not ready: ${r.reason ?? 'unknown'}\n`)
    }
    if (route === '/metrics') {
      if (!opts.metricsRegistry) { res.writeHead(404, { 'content-type': 'text/plain' }); return void res.end('no metrics registry\n') }
      const text = await opts.metricsRegistry.metrics()
      res.writeHead(200, { 'content-type': opts.metricsRegistry.contentType })
      return void res.end(text)
    }
    res.writeHead(404, { 'content-type': 'text/plain' })
    res.end('not found: try / (dashboard), /graphql, /metrics, /livez, /readyz\n')
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port, host, () => { server.off('error', reject); resolve() })
  })
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://${host}:${port}/graphql`,
    port,
    async close() {
      unsubscribe()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

const sha256 = (s: string) => createHash('sha256').update(s).digest()

/** Read the whole body, or null as soon as it exceeds `max` bytes. */
function readBody(req: IncomingMessage, max: number): Promise<Uint8Array | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > max) { req.removeAllListeners('data'); req.resume(); resolve(null) } else chunks.push(c)
    })
    req.on('end', () => resolve(size > max ? null : new Uint8Array(Buffer.concat(chunks))))
    req.on('error', reject)
  })
}

/** Refuse an operation deeper or costlier than the limits before it executes (queries and subscriptions). */
function queryLimitsPlugin(limits: ApiLimits, metrics: ApiMetrics | null): Plugin<ApiContext> {
  const check = (args: ExecutionArgs) => {
    const m = measureOperation(args.schema, args.document, args.operationName, args.variableValues as Record<string, unknown> | null, limits)
    if (!m) return null
    if (m.depth > limits.maxDepth) {
      metrics?.refused.inc({ code: 'QUERY_TOO_DEEP' })
      return apiError('QUERY_TOO_DEEP', `query depth ${m.depth} exceeds the limit ${limits.maxDepth}`, { depth: m.depth, limit: limits.maxDepth })
    }
    if (m.cost > limits.maxCost) {
      metrics?.refused.inc({ code: 'QUERY_TOO_COSTLY' })
      return apiError('QUERY_TOO_COSTLY', `query cost ${m.cost} exceeds the limit ${limits.maxCost} (lists cost their \`first\` times their fields)`, { cost: m.cost, limit: limits.maxCost })
    }
    return null
  }
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const err = check(args)
      if (err) setResultAndStopExecution({ errors: [err] })
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const err = check(args)
      if (err) setResultAndStopExecution({ errors: [err] })
    },
  }
}
