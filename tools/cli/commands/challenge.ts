// `agora challenge build`: compile the bundled AssemblyScript challenges to challenges/build/*.wasm.
import type { Command } from 'commander'
import { buildChallenges } from '../../../challenges/build.ts'
import { printJson } from '../output.ts'

export function registerChallengeCommands(program: Command): void {
  const challenge = program.command('challenge').description('bundled challenges')
  challenge.command('build')
    .description('compile the bundled challenges with asc (asconfig.json) into challenges/build/')
    .option('--name <name...>', 'only these challenges')
    .option('--out <dir>', 'output directory (default challenges/build)')
    .option('--json', 'print JSON')
    .action(async (opts: { name?: string[]; out?: string; json?: boolean }) => {
      const built = await buildChallenges({ names: opts.name, outDir: opts.out })
      if (opts.json) printJson(built)
      else for (const b of built) process.stdout.write(`${b.name}: ${b.path} (${b.bytes} bytes, sha256 ${b.sha256})\n`)
    })
}
