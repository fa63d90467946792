// `agora node` (run one validator) and `agora genesis` (write a local network's genesis and data dirs).
import { resolve, join } from 'node:path'
import { Option, type Command } from 'commander'
import { AgoraError } from '../../../core/errors.ts'
import { buildLocalNetwork } from '../../../validator/app/genesis-builder.ts'
import { BUILD_DIR } from '../../../challenges/build.ts'
import { printJson } from '../output.ts'
import { passwordFromCli } from '../password.ts'

const collect = (v: string, prev: string[] = []) => [...prev, ...v.split(',').filter(Boolean)]
const int = (name: string) => (v: string) => {
  const n = Number(v)
  if (!Number.isSafeInteger(n) || n < 0) throw new AgoraError('BAD_OPTION', `--${name} must be a non-negative integer, got ${JSON.stringify(v)}`)
  return n
}

export function registerNodeCommands(program: Command): void {
  program.command('node')
    .description('run one validator node')
    .requiredOption('--data-dir <dir>', 'data directory (keystore, RocksDB)')
    .requiredOption('--genesis <file>', 'genesis file')
    .option('--listen <multiaddr>', 'libp2p listen address (repeatable)', collect)
    .option('--bootstrap <multiaddr>', 'bootstrap peer multiaddr with /p2p/<id> (repeatable, comma-separated)', collect)
    .option('--api-port <port>', 'GraphQL/metrics port on 127.0.0.1 (0 = ephemeral)', int('api-port'), 0)
    .option('--rpc-url <url>', 'JSON-RPC endpoint of the chain (default: genesis chain.rpcUrl)')
    .option('--weight-registry <address>', 'WeightRegistry contract address (default: genesis chain.weightRegistry)')
    .option('--password <pw>', 'keystore password (default: $AGORA_PASSWORD, else a prompt on a terminal, else empty)')
    .option('--trusted-checkpoint <epoch:hash>', 'start the hand-over chain from this checkpoint (epoch and header hash) instead of genesis')
    // Test-only faults (validator/app/test-faults.ts): hidden, and refused unless AGORA_TEST_FAULTS=1.
    .addOption(new Option('--test-dishonest', 'test only: report perturbed scores').hideHelp())
    .addOption(new Option('--test-equivocate', 'test only: sign two conflicting consensus votes at one height').hideHelp())
    .action(async (o: { dataDir: string; genesis: string; listen?: string[]; bootstrap?: string[]; apiPort: number; rpcUrl?: string; weightRegistry?: string; password?: string; trustedCheckpoint?: string; testDishonest?: boolean; testEquivocate?: boolean }) => {
      // Loaded here, not at the top: the node pulls in libp2p, RocksDB and the chain (~3 s), which every
      // other command (and its --help) would pay for otherwise.
      const { startNode } = await import('../../../validator/app/node.ts')
      const password = await passwordFromCli(o.password, 'keystore password: ')
      const node = await startNode({
        dataDir: o.dataDir, genesisPath: o.genesis, listen: o.listen, bootstrap: o.bootstrap, apiPort: o.apiPort,
        rpcUrl: o.rpcUrl, weightRegistry: o.weightRegistry, password,
        testFaults: { dishonest: !!o.testDishonest, equivocate: !!o.testEquivocate }, trustedCheckpoint: o.trustedCheckpoint,
      })
      await new Promise<void>((done) => {
        const stop = () => { void node.stop().then(done, done) }
        process.once('SIGINT', stop)
        process.once('SIGTERM', stop)
      })
      process.exit(0)
    })

  program.command('genesis')
    .description('create data dirs and a genesis file for a local network')
    .requiredOption('--validators <n>', 'number of validators', int('validators'))
    .option('--miners <n>', 'number of miner identities', int('miners'), 0)
    .option('--dir <dir>', 'output directory', '.devnet')
    .option('--slot-ms <ms>', 'slot length', int('slot-ms'))
    .option('--epoch-slots <n>', 'slots per epoch', int('epoch-slots'))
    .option('--challenges <ids>', 'bundled challenges active at genesis', 'tsp,pow')
    .option('--json', 'print JSON')
    .action(async (o: { validators: number; miners: number; dir: string; slotMs?: number; epochSlots?: number; challenges: string; json?: boolean }) => {
      if (o.validators < 1) throw new AgoraError('BAD_OPTION', '--validators must be at least 1')
      const ids = o.challenges.split(',').filter(Boolean)
      const net = await buildLocalNetwork({
        dir: resolve(o.dir), validators: o.validators, miners: o.miners, slotMs: o.slotMs, epochSlots: o.epochSlots,
        challenges: ids.map((id) => ({ id, modulePath: join(BUILD_DIR, `${id}.wasm`), emissionSharePpm: Math.floor(1_000_000 / ids.length) })),
      })
      if (o.json) return printJson({ genesis: net.genesisPath, validators: net.validators.map((v) => ({ peerId: v.peerId, dataDir: v.dataDir })) })
      process.stdout.write(`genesis   ${net.genesisPath}\n${net.validators.map((v) => `node-${v.index}    ${v.peerId}  ${v.dataDir}`).join('\n')}\n`)
    })
}
