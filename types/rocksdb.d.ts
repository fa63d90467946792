// The rocksdb binding ships no types; validator/infra/db/rocks.ts declares the narrow shape it uses.
declare module 'rocksdb' {
  const factory: unknown
  export default factory
}
