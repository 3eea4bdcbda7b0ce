/** Every bound the reader enforces, in one place (issue 8 makes them configurable). */
export const LIMITS = {
  /** JSON documents inside an archive: manifests, configs, indexes (containers/image uses 4 MiB). */
  jsonBytes: 4 * 1024 * 1024,
  /** One PAX extended header or GNU long name (Go's archive/tar uses 1 MiB). */
  extendedHeaderBytes: 1024 * 1024,
  /** Entries in one layer. */
  entriesPerLayer: 5_000_000,
  /** Path length in bytes after normalisation. */
  pathBytes: 64 * 1024,
};
