// DutyDB: one decided value per (duty, key), persisted (synced) before anyone acts on it. It is the node's
// slashing protection: a node never signs two different values for the same duty, across restarts.
import { AgoraError } from '../../../core/errors.ts'
import { equalBytes, toHex } from '../../../core/bytes.ts'
import type { KvStore } from './kv.ts'
import { Bucket, Repository, stringKey, bytesValue } from './repository.ts'

export type DutyType = 'PROPOSE' | 'EVALUATE' | 'WEIGHTS' | 'CHECKPOINT' | 'SUBMIT' | 'POOL_VOTE' | 'CONSENSUS'
export interface Duty { readonly type: DutyType; readonly slot: number }

export interface DutyDb {
  /**
   * Record `valueHash` as the value for (duty, key). Idempotent for the same value; refuses a different one
   * with DUTY_CONFLICT. Resolves only once the record is durable (synced write).
   */
  decide(duty: Duty, key: string, valueHash: Uint8Array): Promise<void>
  get(duty: Duty, key: string): Promise<Uint8Array | undefined>
}

const dutyKey = (d: Duty, key: string) => `${d.type}/${String(d.slot).padStart(12, '0')}/${key}`

export function createDutyDb(store: KvStore): DutyDb {
  const repo = new Repository<string, Uint8Array>(store, Bucket.dutyDecided, stringKey, bytesValue)
  // Serialise decisions so two concurrent callers cannot both pass the check for one (duty, key).
  let tail: Promise<unknown> = Promise.resolve()
  return {
    decide(duty, key, valueHash) {
      const run = async () => {
        const k = dutyKey(duty, key)
        const prev = await repo.get(k)
        if (prev) {
          if (equalBytes(prev, valueHash)) return
          throw new AgoraError('DUTY_CONFLICT', `refusing to sign ${k}: already signed ${toHex(prev).slice(0, 16)}…, asked for ${toHex(valueHash).slice(0, 16)}…`)
        }
        await repo.put(k, valueHash, { sync: true })
      }
      const p = tail.then(run, run)
      tail = p.catch(() => undefined)
      return p
    },
    get: (duty, key) => repo.get(dutyKey(duty, key)),
  }
}
