// `agora devnet`: the one command that runs a whole local network (tools/devnet/network.ts).
import { Option, type Command } from 'commander'
import { AgoraError } from '../../../core/errors.ts'

const int = (name: string, min: number) => (v: string) => {
  const n = Number(v)
  if (!Number.isSafeInteger(n) || n < min) throw new AgoraError('BAD_OPTION', `--${name} must be an integer ≥ ${min}, got ${JSON.stringify(v)}`)
  return n
}

export function registerDevnetCommands(program: Command): void {
  program.command('devnet')
    .description('run a whole local network: embedded chain, N validator processes, demo miners, live status')
    .option('--validators <n>', 'validator nodes', int('validators', 1), 4)
    .option('--miners <n>', 'demo miners', int('miners', 0), 2)
    .option('--epochs <n>', 'run N epochs, print a JSON summary, exit 0 only if every node agrees', int('epochs', 1))
    .option('--slot-ms <ms>', 'slot length', int('slot-ms', 100), 1000)
    .option('--epoch-slots <n>', 'slots per epoch', int('epoch-slots', 2), 10)
    .option('--dir <dir>', 'devnet directory (data dirs, genesis, logs)', '.devnet')
    .option('--challenges <ids>', 'bundled challenges active at genesis', 'tsp,pow')
    .option('--spares <n>', 'funded identities (REP and fee credits, no stake) for `agora nodes add` or as users (mnemonics.json)', int('spares', 0), 2)
    // Test-only faults (validator/app/test-faults.ts): hidden, and refused unless AGORA_TEST_FAULTS=1.
    .addOption(new Option('--test-dishonest <node>', 'test only: this node (1-based) reports perturbed scores').argParser(int('test-dishonest', 1)).hideHelp())
    .addOption(new Option('--test-equivocate <node>', 'test only: this node (1-based) signs conflicting consensus votes').argParser(int('test-equivocate', 1)).hideHelp())
    .action(async (o: { validators: number; miners: number; epochs?: number; slotMs: number; epochSlots: number; dir: string; challenges: string; spares: number; testDishonest?: number; testEquivocate?: number }) => {
      const { checkTestFaults } = await import('../../../validator/app/test-faults.ts')
      checkTestFaults({ dishonest: o.testDishonest !== undefined, equivocate: o.testEquivocate !== undefined }) // before anything starts
      const { runDevnet } = await import('../../devnet/network.ts') // heavy (chain, supervisor): only when run
      const code = await runDevnet({ ...o, challenges: o.challenges.split(',').filter(Boolean) })
      process.exit(code)
    })
}
