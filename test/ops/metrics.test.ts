// /metrics as Prometheus reads it: the node's registry with two connected libp2p hosts feeding it passes
// `promtool check metrics` (Debian's prometheus package; .ci/run installs it), and without promtool an
// equivalent check of the rules it applies here: every sample has HELP and TYPE, no non-counter is *_total.
import { afterAll, describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createMetrics, renameTotalGauges } from '../../validator/infra/metrics/metrics.ts'
import { createAgoraHost, type AgoraHost } from '../../validator/infra/p2p/host.ts'

const hasPromtool = spawnSync('promtool', ['--version']).status === 0
const seed = (s: string) => new Uint8Array(createHash('sha256').update(s).digest())

/** The promtool rules that matter here, for machines without it: HELP/TYPE per family, *_total only for counters, *_bucket only for histograms. */
function lintExposition(text: string): string[] {
  const problems: string[] = []
  const types = new Map<string, string>()
  const helps = new Set<string>()
  for (const line of text.split('\n')) {
    const t = /^# TYPE (\S+) (\S+)$/.exec(line)
    if (t) { types.set(t[1]!, t[2]!); if (t[1]!.endsWith('_total') && t[2] !== 'counter') problems.push(`${t[1]} is a ${t[2]} named *_total`)
      if (t[1]!.endsWith('_bucket') && t[2] !== 'histogram') problems.push(`${t[1]} is a ${t[2]} named *_bucket`) }
    const h = /^# HELP (\S+) /.exec(line)
    if (h) helps.add(h[1]!)
  }
  for (const name of types.keys()) if (!helps.has(name)) problems.push(`${name} has no HELP`)
  return problems
}

describe('/metrics exposition', () => {
  const hosts: AgoraHost[] = []
  afterAll(async () => { await Promise.all(hosts.map((h) => h.stop())) })

  it('the node registry with libp2p metrics is promtool-clean', async () => {
    const metrics = createMetrics()
    const a = await createAgoraHost({ ed25519Seed: seed('metrics-a'), verifyCheckpoint: () => false }, { metricsRegistry: metrics.registry })
    hosts.push(a)
    await a.start()
    const b = await createAgoraHost({ ed25519Seed: seed('metrics-b'), verifyCheckpoint: () => false })
    hosts.push(b)
    await b.start()
    await a.libp2p.dial(b.libp2p.getMultiaddrs()[0]!)
    metrics.height.set(3)
    const text = await metrics.registry.metrics()
    // libp2p's own families are in the node's registry, next to ours.
    expect(text).toMatch(/^# TYPE libp2p_\S+/m)
    expect(text).toMatch(/^agora_chain_height 3$/m)
    expect(lintExposition(text)).toEqual([])
    if (hasPromtool) {
      const out = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' })
      expect(`${out.stdout}${out.stderr}`.trim()).toBe('')
      expect(out.status).toBe(0)
    } else console.warn('promtool absent (apt-get install -y prometheus): checked with the built-in lint only')
  })

  it('the lint catches what promtool would', () => {
    const bad = '# HELP x_total a gauge\n# TYPE x_total gauge\nx_total 1\n# TYPE y counter\ny 1\n# HELP z_bucket b\n# TYPE z_bucket gauge\n'
    expect(lintExposition(bad)).toEqual(['x_total is a gauge named *_total', 'z_bucket is a gauge named *_bucket', 'y has no HELP'])
  })

  it('renames gauge families named *_total and leaves counters alone', () => {
    const text = '# HELP a_total g\n# TYPE a_total gauge\na_total{p="x"} 2\n# HELP k_bucket_total g\n# TYPE k_bucket_total gauge\nk_bucket_total 1\n# HELP c_total c\n# TYPE c_total counter\nc_total 5\n'
    const out = renameTotalGauges(text)
    expect(lintExposition(out)).toEqual([])
    expect(out).toMatch(/^a\{p="x"\} 2$/m)
    expect(out).toMatch(/^k_buckets 1$/m)
    expect(out).toMatch(/^c_total 5$/m)
  })
})
