// `agora business request --fee n --request text`: pay a fee (credits) for a request; the fees of an
// epoch are distributed to REP holders pro rata at its boundary.
import type { Command } from 'commander'
import { AgoraError } from '../../../core/errors.ts'
import { nanoAmount, sendTx, withCommon, type CommonOpts } from './user.ts'

/** The ledger's BusinessRequestTxSchema bound on the request text. */
const MAX_REQUEST_CHARS = 256

export function registerBusinessCommands(program: Command): void {
  const business = program.command('business').description('business requests (fees paid to REP holders)')
  withCommon(business.command('request'), true)
    .description('send a business request with a fee in credits')
    .requiredOption('--fee <amount>', 'fee in credits')
    .requiredOption('--request <text>', `what is requested (at most ${MAX_REQUEST_CHARS} characters)`)
    .action(async (o: CommonOpts & { fee: string; request: string }) => {
      if (o.request.length > MAX_REQUEST_CHARS) throw new AgoraError('BAD_ARG', `--request is longer than ${MAX_REQUEST_CHARS} characters`)
      await sendTx(o, 'businessRequest', { type: 'BusinessRequest', fee: nanoAmount(o.fee, '--fee'), request: o.request })
    })
}
