// Protection limits for the API and the two checks that need the schema: query depth and query cost.
// Cost counts objects the node must produce: an object field costs 1 plus its children's cost times its
// size (a paginated field's capped `first`, a page's `items` 1 as the page already counted it, any other
// list LIST_FACTOR); scalars are free. So one query cannot ask the node for a quadratic amount of data.
import { Kind } from 'graphql'
import type {
  DocumentNode, FragmentDefinitionNode, GraphQLField, GraphQLObjectType, GraphQLOutputType, GraphQLSchema,
  OperationDefinitionNode, SelectionSetNode, ValueNode,
} from 'graphql'

export interface ApiLimits {
  /** Deepest selection nesting allowed (the operation's root fields are depth 1). */
  readonly maxDepth: number
  /** Highest cost allowed (see module comment). */
  readonly maxCost: number
  /** `first` is clamped to this; it also prices a paginated field. */
  readonly maxFirst: number
  /** `first` when the client gives none. */
  readonly defaultFirst: number
  /** Largest HTTP request body. */
  readonly maxBodyBytes: number
  /** Largest inline payload or module (decoded bytes) and largest transaction body. */
  readonly maxPayloadBytes: number
  /** Per client IP token bucket: sustained requests per second and burst size. */
  readonly ratePerSecond: number
  readonly rateBurst: number
}

export const DEFAULT_LIMITS: ApiLimits = Object.freeze({
  maxDepth: 8,
  maxCost: 5_000,
  maxFirst: 100,
  defaultFirst: 20,
  maxBodyBytes: 2 * 1024 * 1024,
  maxPayloadBytes: 1024 * 1024,
  ratePerSecond: 50,
  rateBurst: 100,
})

/** Assumed size of a plain (unpaginated, protocol-bounded) list such as citations or stakes. */
export const LIST_FACTOR = 10

// Type checks by shape, not instanceof: under a test runner `graphql` can load twice (ESM and CJS), and
// graphql's instanceof helpers throw on a schema built by the other copy.
const unwrap = (t: GraphQLOutputType): GraphQLOutputType => ('ofType' in t && t.ofType ? unwrap(t.ofType as GraphQLOutputType) : t)
const isObjectLike = (t: GraphQLOutputType): t is GraphQLObjectType => 'getFields' in t && typeof t.getFields === 'function'
const isListField = (f: GraphQLField<unknown, unknown>) => /^\[.*\]!?$/.test(String(f.type))

export const clampFirst = (first: number | null | undefined, limits: ApiLimits): number =>
  Math.max(0, Math.min(first ?? limits.defaultFirst, limits.maxFirst))

export interface QueryMeasure { readonly depth: number; readonly cost: number }

/** Depth and cost of the operation that will run (fragments inlined, variables resolved). */
export function measureOperation(
  schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined, limits: ApiLimits,
): QueryMeasure | null {
  const ops = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)
  const op = operationName ? ops.find((o) => o.name?.value === operationName) : ops[0]
  if (!op) return null
  const fragments = new Map<string, FragmentDefinitionNode>()
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d)
  const root = op.operation === 'query' ? schema.getQueryType() : op.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType()
  if (!root) return null

  const intArg = (v: ValueNode | undefined): number | undefined => {
    if (!v) return undefined
    if (v.kind === Kind.INT) return Number(v.value)
    if (v.kind === Kind.VARIABLE) { const x = variables?.[v.name.value]; return typeof x === 'number' ? x : undefined }
    return undefined
  }

  // Returns [depth, cost] of a selection set under `type`; `seen` stops fragment cycles (invalid anyway).
  const walk = (set: SelectionSetNode, type: GraphQLObjectType, seen: Set<string>): [number, number] => {
    let depth = 0, cost = 0
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        if (sel.name.value.startsWith('__')) continue // introspection is priced by its own shape, not ours
        const field = type.getFields()[sel.name.value]
        if (!field) continue // validation reports unknown fields
        const named = unwrap(field.type)
        const [d, c] = sel.selectionSet && isObjectLike(named) ? walk(sel.selectionSet, named, seen) : [0, 0]
        depth = Math.max(depth, d + 1)
        if (!isObjectLike(named)) continue
        const hasFirst = field.args.some((a) => a.name === 'first')
        const isPageItems = sel.name.value === 'items' && 'nextCursor' in type.getFields()
        const factor = hasFirst
          ? clampFirst(intArg(sel.arguments?.find((a) => a.name.value === 'first')?.value), limits)
          : isListField(field) && !isPageItems ? LIST_FACTOR : 1
        cost += 1 + Math.max(factor, 1) * c
      } else {
        let inner: SelectionSetNode, cond = type
        if (sel.kind === Kind.INLINE_FRAGMENT) inner = sel.selectionSet
        else {
          const f = fragments.get(sel.name.value)
          if (!f || seen.has(f.name.value)) continue
          seen = new Set(seen).add(f.name.value)
          inner = f.selectionSet
        }
        const [d, c] = walk(inner, cond, seen)
        depth = Math.max(depth, d)
        cost += c
      }
    }
    return [depth, cost]
  }
  const [depth, cost] = walk(op.selectionSet, root, new Set())
  return { depth, cost }
}

/** Per-key token buckets (key = client IP). Old idle buckets are dropped so the map stays bounded. */
export function createRateLimiter(perSecond: number, burst: number, now: () => number = Date.now, maxKeys = 10_000) {
  const buckets = new Map<string, { tokens: number; at: number }>()
  return {
    /** Take one token; false when the client is over its rate. */
    take(key: string): boolean {
      const t = now()
      let b = buckets.get(key)
      if (!b) {
        if (buckets.size >= maxKeys) for (const [k, v] of buckets) if (t - v.at > (burst / perSecond) * 1000) buckets.delete(k)
        if (buckets.size >= maxKeys) buckets.clear()
        b = { tokens: burst, at: t }
        buckets.set(key, b)
      }
      b.tokens = Math.min(burst, b.tokens + ((t - b.at) / 1000) * perSecond)
      b.at = t
      if (b.tokens < 1) return false
      b.tokens -= 1
      return true
    },
  }
}
