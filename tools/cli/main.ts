// The `agora` CLI: one commander program; each area registers its own commands (commands/*.ts).
import { Command, CommanderError } from 'commander'
import { errorMessage } from '../../core/errors.ts'
import { registerKeyCommands } from './commands/keys.ts'
import { registerWasmCommands } from './commands/wasm.ts'
import { registerChallengeCommands } from './commands/challenge.ts'
import { registerForumCommands } from './commands/forum.ts'
import { registerYumaCommands } from './commands/yuma.ts'
import { registerUserCommands } from './commands/user.ts'
import { registerStatusCommand } from './commands/status.ts'
import { registerNodeCommands } from './commands/node.ts'
import { registerDevnetCommands } from './commands/devnet.ts'
import { registerNodesCommands } from './commands/nodes.ts'
import { registerGovCommands } from './commands/gov.ts'
import { registerPoolCommands } from './commands/pool.ts'
import { registerBusinessCommands } from './commands/business.ts'
import { registerDoctorCommand } from './commands/doctor.ts'

export function buildProgram(): Command {
  const program = new Command('agora')
    .description('Agora: a reputation-governed validator network')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
  registerKeyCommands(program)
  registerWasmCommands(program)
  registerChallengeCommands(program)
  registerForumCommands(program)
  registerYumaCommands(program)
  registerUserCommands(program)
  registerStatusCommand(program)
  registerPoolCommands(program)
  registerGovCommands(program)
  registerBusinessCommands(program)
  registerNodeCommands(program)
  registerDevnetCommands(program)
  registerNodesCommands(program)
  registerDoctorCommand(program)
  return program
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv)
  } catch (e) {
    if (e instanceof CommanderError) process.exit(e.exitCode)
    // One clear line for bad input; the stack only when asked for.
    process.stderr.write(`error: ${errorMessage(e)}\n`)
    if (process.env.AGORA_DEBUG) process.stderr.write(`${(e as Error).stack}\n`)
    process.exit(1)
  }
}
