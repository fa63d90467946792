// `agora pool create <post>`: open a validation pool on a post (a governance pool when the post carries a
// parameter or lifecycle change). The pool id derives from your key and the nonce (ledger/ids.ts).
import type { Command } from 'commander'
import { freshNonce } from '../../../validator/api/client.ts'
import { userPoolId } from '../../../ledger/ids.ts'
import { nanoAmount, sendTx, userKeys, withCommon, type CommonOpts } from './user.ts'

export function registerPoolCommands(program: Command): void {
  const pool = program.commands.find((c) => c.name() === 'pool') ?? program.command('pool').description('validation pools')
  withCommon(pool.command('create'), true)
    .description('open a validation pool on a post; the fee (credits) mints REP staked for and against it')
    .argument('<post>', 'post id')
    .requiredOption('--fee <amount>', 'pool fee in credits (a governance pool needs at least govMinPoolFee)')
    .option('--duration <slots>', 'pool duration in slots (at least the governed least duration)')
    .action(async (post: string, o: CommonOpts & { fee: string; duration?: string }) => {
      const keys = await userKeys(o)
      const nonce = freshNonce()
      const id = userPoolId(keys.peerId, nonce)
      const body: Record<string, unknown> = { type: 'InitiatePool', id, post, fee: nanoAmount(o.fee, '--fee') }
      if (o.duration !== undefined) body.durationSlots = Number(o.duration)
      await sendTx(o, 'initiatePool', body, undefined, { pool: id, post }, { keys, nonce })
    })
}
