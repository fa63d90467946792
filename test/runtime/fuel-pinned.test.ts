// Fuel is consensus: every validator of a committee must report the same fuelUsed and audit hash for the
// same evaluation, so changes to the metering pass (or the bench kernels) must keep these exactly. Pinned
// from the metering of commit 92b7a2b; the audit hash covers outcome, fuel, host calls and output.
// Also: a budget of exactly the fuel used gives the same outcome, one less runs out of fuel.
import { describe, expect, it } from 'vitest'
import { evaluateInProcess } from '../../validator/infra/runtime/execute.ts'
import { fuelCases } from './fixtures/fuel-cases.ts'

/** [case, outcome, fuelUsed, host calls, audit hash] */
const PINNED: [string, string, bigint, number, string][] = [
  ['tsp good', 'ok', 293508n, 5, 'd0c815b330a586d9182acddfce729c9600ee6b8df1b3e4ae956f7bc66239baae'],
  ['tsp nearest neighbour', 'ok', 293564n, 5, '6b295007b0e07b34537cfd3f8ed5a59c15d353cc3bfad9fbfaca5ec5bc650043'],
  ['tsp duplicate city', 'ok', 268435n, 5, '8cda154431cad485cff2ec3b7c342cea42566134a9cd8372aafb7ed25b9fc63d'],
  ['tsp truncated', 'ok', 268024n, 5, '6961f7ad65adb848206bd725806bb624aad4f23b3280820fe227a838a1fc51fb'],
  ['tsp unknown city', 'ok', 273631n, 5, '7d57d72cae4e486768e13dd1499f2e7fba1a37a48778664d953edfe5f918b3d9'],
  ['pow good', 'ok', 17874n, 5, 'e2eddf1f786ee52b0b67e100aea5f47ea67127cdc61707f6bcdfa7d7fda404ba'],
  ['pow empty', 'ok', 995n, 4, '0f18bd8817c431c3c2e0e7e2e4af7d3c6a20f8311ab538168f89d575e18d1f66'],
  ['pow too long', 'ok', 1020n, 5, '071a1a9d064298ef1e1592bff3b6783902d221ab235c60d50a50f84e8b40752e'],
  ['sorter shell', 'ok', 419760n, 7, 'df0af7497a0b7b75c0f6d219f2141dea0aa2b2b92749ee911533163cc6929762'],
  ['sorter insertion', 'ok', 768127n, 7, '18fe5f1bdd639ecc74c6f03072ee59296eab1514aa801b36ffbdf3245068a84a'],
  ['sorter identity', 'ok', 321751n, 7, '66100ed55b318af55b79d8226d60ea3256bc488f0a190ff07ec6d4ee61f406cd'],
  ['sorter spin', 'ok', 4314896n, 7, '5b8372a911e24ba1e2b69c6b7c5126035264352483062f45033c77c30fbb6e18'],
  ['sorter clock', 'ok', 315860n, 7, 'e72c0b7710b861f4cab5732d25714dae83a050dc356568a6d75055e998895722'],
  ['kernel-sieve-2M', 'STATUS_NONZERO', 82196317n, 0, 'd18590233bb0994ce7f36075e8ec0f40bfecac65c8c66b64fc90af7aa628837f'],
  ['kernel-fib-27', 'STATUS_NONZERO', 5720587n, 0, '814fce3084495932dd264ca69540a2561856c603c1af91cd2ba3be113832fbb4'],
  ['kernel-mix-hash', 'STATUS_NONZERO', 66000008n, 0, 'fd522ca8ca61499955a10e6e5b7d6780ab18223206dd4ed4fa0b7b0b07545888'],
  ['kernel-shell-sort-64k', 'ok', 52325206n, 0, '9708f154c8b7238cb8b034186b5ff7b9e10e5bdbb30b87510f4ed445f31a8bcc'],
  ['trap: out of bounds after a host call', 'TRAP_MEMORY', 909n, 1, 'c443a68ce72f7a72a622dd5cc81eea1ebe4153c03226f3ff0d749f5ffd742635'],
  ['trap: unreachable in a callee', 'TRAP_UNREACHABLE', 0n, 0, '3eb44fd239e8927d56e8bebd134d272b7487d60d90f8bfa3112ce64182082ebc'],
  ['trap: divide by zero through a table', 'TRAP_DIV_ZERO', 65n, 0, 'b67c2356036213b13c766e49f4884face16c98eab918fed864e17b6209aefe86'],
]

const cases = await fuelCases()

describe('fuel is pinned', () => {
  it('covers every case', () => {
    expect(cases.map((c) => c.name)).toEqual(PINNED.map((p) => p[0]))
  })
  for (const [name, outcome, fuel, hostCalls, hash] of PINNED) {
    it(`${name}: ${outcome} with ${fuel} fuel`, () => {
      const r = evaluateInProcess(cases.find((c) => c.name === name)!.request)
      expect([r.error?.code ?? 'ok', r.fuelUsed, r.audit.hostCalls.length, r.auditHash]).toEqual([outcome, fuel, hostCalls, hash])
    })
  }
})

describe('the fuel used is the exact budget', () => {
  // Traps other than fuel report what the counter held when they happened: no budget boundary to probe.
  for (const [name, outcome, fuel] of PINNED.filter((p) => !p[1].startsWith('TRAP'))) {
    it(`${name}: ${fuel} suffices, ${fuel - 1n} does not`, () => {
      const req = cases.find((c) => c.name === name)!.request
      const run = (fuelLimit: bigint) => evaluateInProcess({ ...req, policy: { ...req.policy, fuelLimit } })
      const exact = run(fuel)
      expect([exact.error?.code ?? 'ok', exact.fuelUsed]).toEqual([outcome, fuel])
      expect(run(fuel - 1n).error?.code).toBe('FUEL_EXHAUSTED')
    })
  }
})
