// `agora nodes ...` without the rest of the CLI, until tools/cli/main.ts registers it: the same commander
// wiring and error convention (`error: <msg>`, exit 1) as main.ts.
import { Command, CommanderError } from 'commander'
import { errorMessage } from '../../core/errors.ts'
import { registerNodesCommands } from '../../tools/cli/commands/nodes.ts'

const program = new Command('agora').exitOverride()
registerNodesCommands(program)
try {
  await program.parseAsync(process.argv)
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.exitCode)
  process.stderr.write(`error: ${errorMessage(e)}\n`)
  process.exit(1)
}
