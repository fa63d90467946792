// Agora guest SDK (AssemblyScript): the host-function ABI (module "agora") and helpers every challenge
// uses: read the miner's payload, get the 32-byte seed, write the score (u64 LE PPM) plus detail bytes,
// and a deterministic PRNG (splitmix64) that challenges/payloads.ts reproduces in TypeScript.

@external("agora", "input_len") declare function agora_input_len(): i32
@external("agora", "input_read") declare function agora_input_read(dst: usize, offset: i32, len: i32): i32
@external("agora", "output_write") declare function agora_output_write(src: usize, len: i32): i32
@external("agora", "log") declare function agora_log(src: usize, len: i32): void
@external("agora", "seed") declare function agora_seed(dst: usize): void
@external("agora", "run_nested") declare function agora_run_nested(mod: usize, modLen: i32, input: usize, inputLen: i32, fuel: i64, out: usize, outCap: i32): i32
@external("agora", "nested_fuel_used") declare function agora_nested_fuel_used(): i64

export const PPM_MAX: u64 = 1_000_000

/** The miner's payload. */
export function readInput(): Uint8Array {
  const n = agora_input_len()
  const buf = new Uint8Array(n)
  if (n > 0) agora_input_read(buf.dataStart, 0, n)
  return buf
}

/** The evaluation's 32-byte deterministic seed. */
export function readSeed(): Uint8Array {
  const buf = new Uint8Array(32)
  agora_seed(buf.dataStart)
  return buf
}

export function writeBytes(b: Uint8Array): void {
  if (b.length > 0) agora_output_write(b.dataStart, b.length)
}

/** Writes the result: score (PPM, clamped) as u64 LE, then the challenge's detail bytes. */
export function writeResult(scorePpm: u64, detail: Uint8Array): void {
  const head = new Uint8Array(8)
  store<u64>(head.dataStart, scorePpm > PPM_MAX ? PPM_MAX : scorePpm)
  writeBytes(head)
  writeBytes(detail)
}

export function log(msg: string): void {
  const b = Uint8Array.wrap(String.UTF8.encode(msg))
  agora_log(b.dataStart, b.length)
}

/** Result of a nested run: output length (>= 0) or a negative status, and the fuel it used. */
export class NestedResult {
  constructor(public status: i32, public fuelUsed: u64, public output: Uint8Array) {}
}

/** Runs `module` (a WASM program using this same ABI) on `input` with its own fuel (policy permitting). */
export function runNested(module: Uint8Array, input: Uint8Array, fuel: u64, outCap: i32): NestedResult {
  const out = new Uint8Array(outCap)
  const status = agora_run_nested(module.dataStart, module.length, input.dataStart, input.length, <i64>fuel, out.dataStart, outCap)
  const used = <u64>agora_nested_fuel_used()
  return new NestedResult(status, used, status >= 0 ? out.subarray(0, status) : new Uint8Array(0))
}

/** splitmix64, seeded from the first 8 seed bytes (LE); identical to challenges/prng.ts. */
export class Prng {
  state: u64
  constructor(seed: Uint8Array) { this.state = load<u64>(seed.dataStart) }
  next(): u64 {
    this.state += 0x9e3779b97f4a7c15
    let z = this.state
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
    z = (z ^ (z >> 27)) * 0x94d049bb133111eb
    return z ^ (z >> 31)
  }
  below(n: u64): u64 { return this.next() % n }
}

export function putU64(b: Uint8Array, offset: i32, v: u64): void { store<u64>(b.dataStart + offset, v) }
export function putU32(b: Uint8Array, offset: i32, v: u32): void { store<u32>(b.dataStart + offset, v) }
