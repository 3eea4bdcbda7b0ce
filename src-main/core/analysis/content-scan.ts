// Which files the findings read, and what they look for in each: shared by the findings and by
// the reader of compressed layers, which scans those files as they stream past (read again later,
// each would mean inflating its layer again up to it).
import { baseName } from '../layer/entry-path';
import { envSecrets, findSecrets, type SecretMatch } from './secret-patterns';

/**
 * The version of what follows: scans kept with a layer's index on disk are used only when made by
 * the same rules. Raise it with any change to them or to the secret patterns.
 */
export const SCAN_RULES = 1;

/** Files up to this size are read for secrets, outside the directories skipped below. */
export const SCAN_BYTES = 256 * 1024;
const SKIP_DIRS = [
  '/usr/lib/',
  '/usr/lib64/',
  '/usr/libexec/',
  '/usr/share/',
  '/usr/include/',
  '/usr/bin/',
  '/usr/sbin/',
  '/lib/',
  '/lib64/',
  '/bin/',
  '/sbin/',
  '/proc/',
  '/sys/',
  '/dev/',
  '/var/lib/dpkg/',
  '/var/lib/apt/',
  '/var/cache/',
  '/etc/ssl/certs/',
  '/usr/local/lib/python',
];
const SKIP_SEGMENTS = [
  '/node_modules/',
  '/site-packages/',
  '/dist-packages/',
  '/.git/',
  '/_cacache/',
];

// A Map, not an object: a file named "constructor" or "toString" is not a credential.
const CREDENTIAL_FILES = new Map<string, string>([
  ['.git-credentials', 'git credentials'],
  ['.netrc', 'netrc credentials'],
  ['.pgpass', 'PostgreSQL passwords'],
  ['id_rsa', 'SSH private key file'],
  ['id_dsa', 'SSH private key file'],
  ['id_ecdsa', 'SSH private key file'],
  ['id_ed25519', 'SSH private key file'],
]);
const CREDENTIAL_SUFFIXES: [string, string][] = [
  ['/.aws/credentials', 'AWS credentials'],
  ['/.docker/config.json', 'Docker registry config'],
  ['/.npmrc', 'npm config'],
  ['/.pypirc', 'PyPI credentials'],
  ['/.kube/config', 'Kubernetes config'],
];

/** The names CREDENTIAL_SUFFIXES end with. */
const SUFFIX_NAMES = new Set(CREDENTIAL_SUFFIXES.map(([suffix]) => baseName(suffix)));

/** The first characters of the names below (1 by char code): most names are ruled out by it. */
const FIRST_OF_NAMES = new Uint8Array(128);
for (const name of [...CREDENTIAL_FILES.keys(), ...SUFFIX_NAMES])
  FIRST_OF_NAMES[name.charCodeAt(0)] = 1;

/** The name of the file at `path`, when it is a credentials file. */
export function credentialName(path: string, name: string): string | null {
  if (FIRST_OF_NAMES[name.charCodeAt(0)] !== 1) return null;
  const known = CREDENTIAL_FILES.get(name);
  if (known) return known;
  if (!SUFFIX_NAMES.has(name)) return null;
  for (const [suffix, what] of CREDENTIAL_SUFFIXES) if (path.endsWith(suffix)) return what;
  return null;
}

/**
 * What the directory alone decides for the files directly in it (`dir` ends with a slash; the
 * skipped prefixes and segments, and the cache markers but `.npm`, end with one too, so a file's
 * name never changes the answer): whether its small files are left unread, and whether one of
 * them may lie in a package cache (CACHE_ROOTS' regexes are skipped for the others).
 */
export function directoryFacts(dir: string): { skipped: boolean; mayHoldCache: boolean } {
  return {
    skipped:
      SKIP_DIRS.some((prefix) => dir.startsWith(prefix)) ||
      SKIP_SEGMENTS.some((segment) => dir.includes(segment)),
    mayHoldCache: dir.startsWith('/var/') || dir.includes('/.npm') || dir.includes('/.cache/'),
  };
}

export const isEnvName = (name: string): boolean =>
  name.startsWith('.env') && /^\.env(\..+)?$/.test(name) && !name.endsWith('.example');

/** What a file's content showed: nothing for most files. */
export interface ContentScan {
  secrets: SecretMatch[];
  /** For an env file: its KEY=VALUE lines whose key names a secret (values masked). */
  envKeys: string[];
}

export const NOTHING_FOUND: ContentScan = { secrets: [], envKeys: [] };

/**
 * Whether the findings read the file at `path` of `size` bytes. `facts`: directoryFacts() of its
 * directory, when the caller has them for a run of entries in one directory; `name`: its name.
 */
export function readsContent(
  path: string,
  size: number,
  facts = directoryFacts(path.slice(0, path.lastIndexOf('/') + 1)),
  name = baseName(path),
): boolean {
  const scannable = size > 0 && size <= SCAN_BYTES && !facts.skipped;
  return scannable || credentialName(path, name) !== null || isEnvName(name);
}

export function scanContent(path: string, bytes: Buffer): ContentScan {
  const head = bytes.length > 8000 ? bytes.subarray(0, 8000) : bytes;
  const text = head.includes(0) ? '' : bytes.toString('utf8');
  const secrets = text ? findSecrets(text) : [];
  const envKeys = isEnvName(baseName(path)) ? envSecrets(text) : [];
  return secrets.length || envKeys.length ? { secrets, envKeys } : NOTHING_FOUND;
}
