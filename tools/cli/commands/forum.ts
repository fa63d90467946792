// `agora forum ...` commands: `simulate <scenario.json>` runs a forum scenario through the pure state
// machine and prints the outcome as JSON (contract in forum/scenario.ts).
import type { Command } from 'commander'
import { runScenario } from '../../../forum/scenario.ts'
import { printJson, readJsonFile } from '../output.ts'

export function registerForumCommands(program: Command): void {
  const forum = program.command('forum').description('forum, reputation and validation pools')
  forum
    .command('simulate')
    .description('apply a scenario (genesis, posts, pools, stakes, advances, resolutions) and print balances, posts, pools and supply as JSON')
    .argument('<scenario>', 'scenario JSON file')
    .action((file: string) => {
      printJson(runScenario(readJsonFile(file, 'SCENARIO', 'scenario')).output)
    })
}
