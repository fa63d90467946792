// The keystore password for CLI commands: --password, else $AGORA_PASSWORD, else a hidden prompt on a
// terminal, else empty. An empty password gets one warning on stderr, unless AGORA_PASSWORD is set to
// the empty string on purpose (an unattended local devnet).

export const EMPTY_PASSWORD_WARNING = 'warning: the keystore password is empty: anyone who reads the data dir has the keys (use --password, AGORA_PASSWORD or the prompt)'

export interface PasswordSources {
  readonly option?: string
  readonly env?: NodeJS.ProcessEnv
  /** Asks on the terminal; absent when stdin is not one. */
  readonly prompt?: (question: string) => Promise<string>
  readonly warn?: (line: string) => void
}

export async function resolvePassword(question: string, src: PasswordSources = defaultSources()): Promise<string> {
  const env = src.env ?? process.env
  const pw = src.option ?? env.AGORA_PASSWORD ?? (src.prompt ? await src.prompt(question) : '')
  const chosenEmpty = src.option === undefined && env.AGORA_PASSWORD === ''
  if (pw === '' && !chosenEmpty) (src.warn ?? ((l) => process.stderr.write(`${l}\n`)))(EMPTY_PASSWORD_WARNING)
  return pw
}

function defaultSources(option?: string): PasswordSources {
  return { option, prompt: process.stdin.isTTY ? promptHidden : undefined }
}

/** The CLI's usual sources for an option value. */
export const passwordFromCli = (option: string | undefined, question: string) => resolvePassword(question, defaultSources(option))

/** Read a line from the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin
    process.stderr.write(question)
    let value = ''
    const done = (err?: Error) => {
      stdin.setRawMode(false)
      stdin.pause()
      stdin.off('data', onData)
      process.stderr.write('\n')
      if (err) reject(err); else resolve(value)
    }
    const onData = (buf: Buffer) => {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done()
        if (ch === '\u0003') return done(new Error('interrupted'))
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1)
        else value += ch
      }
    }
    stdin.setRawMode(true)
    stdin.resume()
    stdin.on('data', onData)
  })
}
