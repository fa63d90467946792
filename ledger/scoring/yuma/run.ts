// The `agora yuma` contract: validate the JSON input (zod), run its epochs in order carrying bonds from
// one to the next, and shape each epoch's result for JSON (fractions as decimals, u16 where subtensor
// stores u16, token amounts as decimal strings). Pure: the CLI does the file reading and printing.
import { z } from 'zod'
import { AgoraError } from '../../../core/errors.ts'
import { fixedFromDecimal, toNumber, toU16Proportion } from '../fixed.ts'
import { U16_MAX } from '../median.ts'
import { type YumaEpochResult, type YumaParams, runYumaEpoch } from './epoch.ts'

const u16 = z.number().int().min(0).max(U16_MAX)
const uid = z.number().int().min(0).max(U16_MAX)
const unsignedInt = z.union([z.string().regex(/^\d+$/, 'a decimal integer string'), z.number().int().nonnegative()]).transform((x) => BigInt(x))
// Liquid alpha numbers are decimals; they are read from their shortest decimal spelling, not used as floats.
const decimal = z.number().nonnegative().refine((x) => /^\d+(\.\d+)?$/.test(String(x)), 'a plain decimal (no exponent)').transform((x) => fixedFromDecimal(String(x)))

export const yumaInputSchema = z.object({
  params: z.object({
    kappa: u16.default(32767),
    bondsMovingAverage: z.number().int().min(0).max(1_000_000).default(900_000),
    bondsPenalty: u16.default(U16_MAX),
    yuma3: z.boolean().default(false),
    liquidAlpha: z.object({ low: decimal, high: decimal, steepness: decimal }).nullable().default(null),
  }).strict(),
  stake: z.array(unsignedInt).min(1).max(U16_MAX + 1),
  validators: z.array(uid),
  epochs: z.array(z.object({ weights: z.array(z.array(u16)), active: z.array(uid) }).strict()).min(1),
  emission: unsignedInt,
}).strict()

export type YumaInput = z.infer<typeof yumaInputSchema>

/** Parse and validate the CLI's JSON; errors name the offending path. */
export function parseYumaInput(json: unknown): YumaInput {
  const r = yumaInputSchema.safeParse(json)
  if (!r.success) {
    const first = r.error.issues[0]!
    throw new AgoraError('BAD_YUMA_INPUT', `yuma input ${first.path.join('.') || '(root)'}: ${first.message}`)
  }
  const { low, high } = r.data.params.liquidAlpha ?? { low: 0, high: 0 }
  if (low > high) throw new AgoraError('BAD_YUMA_INPUT', 'yuma input params.liquidAlpha: low must not exceed high')
  return r.data
}

/** Run every epoch in order; each starts from the bonds the previous one stored. */
export function runYumaEpochs(input: YumaInput): YumaEpochResult[] {
  const params: YumaParams = input.params
  const results: YumaEpochResult[] = []
  let bonds: Uint16Array[] | undefined
  input.epochs.forEach((e, i) => {
    try {
      const r = runYumaEpoch(params, { stake: input.stake, validators: input.validators, weights: e.weights, active: e.active, bonds, emission: input.emission })
      results.push(r)
      bonds = r.bonds
    } catch (err) {
      if (err instanceof AgoraError) throw new AgoraError(err.code, `epoch ${i}: ${err.message}`)
      throw err
    }
  })
  return results
}

const fractions = (xs: Float64Array) => Array.from(xs, toNumber)
const u16s = (xs: Float64Array) => Array.from(xs, toU16Proportion)

/** The JSON shape printed per epoch. */
export function formatYumaEpoch(epoch: number, r: YumaEpochResult) {
  return {
    epoch,
    consensus: fractions(r.consensus),
    incentive: fractions(r.incentive),
    dividends: fractions(r.dividends),
    bonds: r.bonds.map((row) => Array.from(row)),
    emission: r.emission,
    serverEmission: r.serverEmission,
    validatorEmission: r.validatorEmission,
    validatorTrust: fractions(r.validatorTrust),
    ranks: fractions(r.ranks),
    trust: fractions(r.trust),
    stake: fractions(r.stake),
    activeStake: fractions(r.activeStake),
    u16: {
      consensus: u16s(r.consensus),
      incentive: u16s(r.incentive),
      dividends: u16s(r.dividends),
      validatorTrust: u16s(r.validatorTrust),
      ranks: u16s(r.ranks),
      trust: u16s(r.trust),
    },
    liquidAlphaApplied: r.liquidAlphaApplied,
  }
}
