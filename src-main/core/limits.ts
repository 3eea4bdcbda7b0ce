// Every bound the reader enforces, in one place. Each can be raised for one run with an
// environment variable (STRATA_LIMIT_<NAME>), and every error that hits one says which.

interface LimitSpec {
  value: number;
  /** What it bounds, for the error message. */
  what: string;
}

const DEFAULTS = {
  /** JSON documents inside an archive: manifests, configs, indexes (containers/image uses 4 MiB). */
  jsonBytes: {
    value: 4 * 1024 * 1024,
    what: 'bytes of one JSON document (manifest, config, index)',
  },
  /** One PAX extended header or GNU long name (Go's archive/tar uses 1 MiB). */
  extendedHeaderBytes: { value: 1024 * 1024, what: 'bytes of one PAX or long-name header' },
  entriesPerLayer: { value: 5_000_000, what: 'entries in one layer' },
  entriesPerImage: { value: 20_000_000, what: 'entries in one image' },
  /** Path length in bytes after normalisation. */
  pathBytes: { value: 64 * 1024, what: 'bytes of one path' },
  pathDepth: { value: 10_000, what: 'directory levels of one path' },
  /** Decompressed bytes of a compressed layer per compressed byte (gzip tops out near 1032). */
  decompressionRatio: { value: 2000, what: 'decompressed bytes per compressed byte of a layer' },
  /** Decompressed bytes of any one compressed layer or archive, whatever the ratio. */
  decompressedBytes: { value: 256 * 1024 ** 3, what: 'decompressed bytes of one layer or archive' },
  /** Bytes one preview or read request returns. */
  previewBytes: { value: 1024 * 1024, what: 'bytes of one file preview' },
} satisfies Record<string, LimitSpec>;

export type LimitName = keyof typeof DEFAULTS;

export function envName(name: LimitName): string {
  return `STRATA_LIMIT_${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

function fromEnv(name: LimitName, fallback: number): number {
  const raw = process.env[envName(name)];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  return Number.isSafeInteger(value) && value > 0 ? value : fallback;
}

export const LIMITS = Object.fromEntries(
  Object.entries(DEFAULTS).map(([name, spec]) => [name, fromEnv(name as LimitName, spec.value)]),
) as Record<LimitName, number>;

/** "over the limit of 4194304 bytes of one JSON document (...); raise it with STRATA_LIMIT_JSON_BYTES=N" */
export function overLimit(name: LimitName): string {
  return `over the limit of ${LIMITS[name]} ${DEFAULTS[name].what}; raise it with ${envName(name)}=N`;
}
