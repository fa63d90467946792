// `agora wasm meter` (instrument a module for fuel and stack depth) and `agora wasm run` (evaluate a
// module in the sandbox, in a worker with the wall-clock backstop, and print the result as JSON).
import { readFileSync, writeFileSync } from 'node:fs'
import type { Command } from 'commander'
import { fromHex, toHex } from '../../../core/bytes.ts'
import { AgoraError } from '../../../core/errors.ts'
import { meterModule } from '../../../validator/infra/runtime/meter.ts'
import { DEFAULT_POLICY, parsePolicy, type RuntimePolicy } from '../../../validator/infra/runtime/policy.ts'
import { createExecutionService } from '../../../validator/infra/runtime/service.ts'
import { printJson, readJsonFile } from '../output.ts'

function readBytes(path: string, what: string): Uint8Array {
  try { return new Uint8Array(readFileSync(path)) } catch (e) {
    throw new AgoraError('FILE_UNREADABLE', `cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
  }
}

export function loadPolicyFile(path: string | undefined): RuntimePolicy {
  if (!path) return DEFAULT_POLICY
  let raw: unknown
  raw = readJsonFile(path, 'BAD_POLICY', 'policy')
  try { return parsePolicy(raw) } catch (e) {
    const issues = (e as { issues?: { path: PropertyKey[]; message: string }[] }).issues
    throw new AgoraError('BAD_POLICY', `invalid policy ${path}: ${issues ? issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') : (e as Error).message}`)
  }
}

function parseFuel(s: string | undefined): bigint | undefined {
  if (s === undefined) return undefined
  if (!/^[0-9]+$/.test(s) || BigInt(s) < 1n || BigInt(s) >= 1n << 62n) throw new AgoraError('BAD_FUEL', `--fuel must be a positive integer below 2^62, got "${s}"`)
  return BigInt(s)
}

export function registerWasmCommands(program: Command): void {
  const wasm = program.command('wasm').description('the WASM sandbox: metering and execution')

  wasm.command('meter <in>')
    .description('instrument a module with fuel and stack metering (exports agora_fuel, agora_stack)')
    .requiredOption('-o, --out <file>', 'where to write the metered module')
    .option('--initial-fuel <n>', 'fuel the counter starts with', '10000000')
    .option('--policy <file>', 'runtime policy JSON (default policy when omitted)')
    .option('--no-policy-checks', 'skip policy checks (imports, caps, floats); structural checks stay')
    .option('--json', 'print a JSON summary')
    .action((input: string, opts: { out: string; initialFuel: string; policy?: string; policyChecks: boolean; json?: boolean }) => {
      const bytes = readBytes(input, 'module')
      const policy = opts.policyChecks ? loadPolicyFile(opts.policy) : undefined
      const out = meterModule(bytes, { initialFuel: parseFuel(opts.initialFuel), policy })
      writeFileSync(opts.out, out)
      const summary = { in: input, out: opts.out, inBytes: bytes.length, outBytes: out.length, initialFuel: opts.initialFuel }
      if (opts.json) printJson(summary)
      else process.stdout.write(`metered ${input} (${bytes.length} bytes) -> ${opts.out} (${out.length} bytes)\n`)
    })

  wasm.command('run <module>')
    .description('evaluate a module in the sandbox and print {ok, fuelUsed, output, error, auditHash}')
    .option('--input <file>', 'payload file (default: empty)')
    .option('--fuel <n>', 'fuel limit (default: the policy\'s)')
    .option('--policy <file>', 'runtime policy JSON')
    .option('--seed <hex>', '32-byte seed as hex (default: zeros)')
    .option('--entry <name>', 'exported entry function', 'evaluate')
    .option('--json', 'print JSON (the only output format)')
    .action(async (modulePath: string, opts: { input?: string; fuel?: string; policy?: string; seed?: string; entry: string }) => {
      const module = readBytes(modulePath, 'module')
      const input = opts.input ? readBytes(opts.input, 'input') : new Uint8Array()
      const seed = opts.seed ? fromHex(opts.seed) : new Uint8Array(32)
      if (seed.length !== 32) throw new AgoraError('BAD_SEED', `--seed must be 32 bytes of hex, got ${seed.length} bytes`)
      const base = loadPolicyFile(opts.policy)
      const fuel = parseFuel(opts.fuel)
      const policy = fuel === undefined ? base : { ...base, fuelLimit: fuel }
      const service = createExecutionService({ workers: 1 })
      try {
        const r = await service.evaluate({ module, input, seed, policy, entry: opts.entry })
        printJson({ ok: r.ok, fuelUsed: r.fuelUsed, output: toHex(r.output), error: r.error ?? null, auditHash: r.auditHash, ...(r.noResult ? { noResult: true } : {}) })
      } finally { await service.close() }
    })
}
