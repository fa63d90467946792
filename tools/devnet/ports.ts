// Ephemeral loopback ports: ask the OS for a free port by binding port 0, then release it. There is a
// small window before the node binds it; the supervisor keeps a node's ports across restarts.
import { createServer } from 'node:net'

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.once('error', reject)
    server.listen(0, host, () => {
      const addr = server.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port assigned'))))
    })
  })
}

/** `count` distinct free ports (distinct even if the OS hands the same one out twice in a row). */
export async function freePorts(count: number, avoid: ReadonlySet<number> = new Set()): Promise<number[]> {
  const ports: number[] = []
  const taken = new Set(avoid)
  while (ports.length < count) {
    const p = await freePort()
    if (taken.has(p)) continue
    taken.add(p)
    ports.push(p)
  }
  return ports
}

/** True when nothing listens on the port right now (used to keep a node's ports across restarts). */
export function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.unref()
    server.once('error', () => resolve(false))
    server.listen(port, host, () => server.close(() => resolve(true)))
  })
}
