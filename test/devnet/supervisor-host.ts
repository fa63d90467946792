// A supervisor in its own process, as `agora devnet` runs it: starts fake nodes, prints their pids as one
// JSON line, then waits for a signal, or throws an uncaught error (argv[2] === 'throw').
import { createSupervisor } from '../../tools/devnet/supervisor.ts'
import { installShutdownHandlers } from '../../tools/devnet/shutdown.ts'
import { fakeNodeCommand } from './fake.ts'

const [dir, mode, count] = [process.argv[2]!, process.argv[3] ?? 'wait', Number(process.argv[4] ?? 2)]
const sup = createSupervisor({ dir, nodeCommand: fakeNodeCommand(), pollMs: 300, stopGraceMs: 3_000 })
installShutdownHandlers(sup)
await sup.start()
const nodes = await sup.addNodes(count)
process.stdout.write(JSON.stringify({ pids: nodes.map((n) => n.pid) }) + '\n')
if (mode === 'throw') setTimeout(() => { throw new Error('boom: an uncaught error in the supervisor') }, 200)
else setInterval(() => {}, 1 << 30) // keep running until signalled
