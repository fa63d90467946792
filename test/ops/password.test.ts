// Where the keystore password comes from (option, AGORA_PASSWORD, the terminal prompt) and the warning for
// an empty one, except when AGORA_PASSWORD is set empty on purpose.
import { describe, expect, it } from 'vitest'
import { EMPTY_PASSWORD_WARNING, resolvePassword } from '../../tools/cli/password.ts'

async function run(src: { option?: string; env?: Record<string, string>; typed?: string }) {
  const warnings: string[] = []
  const asked: string[] = []
  const pw = await resolvePassword('pw: ', {
    option: src.option, env: src.env ?? {}, warn: (l) => warnings.push(l),
    prompt: src.typed === undefined ? undefined : async (q) => { asked.push(q); return src.typed! },
  })
  return { pw, warnings, asked }
}

describe('keystore password', () => {
  it('takes the option over the environment over the prompt', async () => {
    expect(await run({ option: 'opt', env: { AGORA_PASSWORD: 'env' }, typed: 'typed' })).toEqual({ pw: 'opt', warnings: [], asked: [] })
    expect(await run({ env: { AGORA_PASSWORD: 'env' }, typed: 'typed' })).toEqual({ pw: 'env', warnings: [], asked: [] })
    expect(await run({ typed: 'typed' })).toEqual({ pw: 'typed', warnings: [], asked: ['pw: '] })
  })

  it('warns once for an empty password, typed or defaulted', async () => {
    expect(await run({ typed: '' })).toMatchObject({ pw: '', warnings: [EMPTY_PASSWORD_WARNING] })
    expect(await run({})).toMatchObject({ pw: '', warnings: [EMPTY_PASSWORD_WARNING] })
    expect(await run({ option: '' })).toMatchObject({ pw: '', warnings: [EMPTY_PASSWORD_WARNING] })
  })

  it('is quiet when AGORA_PASSWORD is set empty on purpose (an unattended devnet)', async () => {
    expect(await run({ env: { AGORA_PASSWORD: '' }, typed: 'never asked' })).toEqual({ pw: '', warnings: [], asked: [] })
  })
})
