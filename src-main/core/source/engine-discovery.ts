// Finding the engines the way the docker and podman CLIs do: DOCKER_HOST, else the current docker
// context (~/.docker/config.json `currentContext` -> contexts/meta/<sha256(name)>/meta.json),
// else Docker's default sockets; Podman's CONTAINER_HOST and sockets. docker-modem reads only
// DOCKER_HOST, so the rest is here. Nothing is contacted: engine-client.ts pings.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { EngineEndpoint, EngineKind, EngineOrigin, EngineTls } from './engine-endpoint';
import { parseHost } from './engine-endpoint';

/** What discovery reads; tests give their own. */
export interface DiscoveryEnvironment {
  env: NodeJS.ProcessEnv;
  home: string;
  uid: number | null;
  exists(path: string): boolean;
  /** The file's text, or null when it cannot be read. */
  readText(path: string): string | null;
  /** Names in a folder, or [] when it cannot be read. */
  list(path: string): string[];
}

export function systemEnvironment(env: NodeJS.ProcessEnv = process.env): DiscoveryEnvironment {
  return {
    env,
    home: homedir(),
    uid: process.getuid?.() ?? null,
    exists: (path) => existsSync(path),
    readText: (path) => {
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return null;
      }
    },
    list: (path) => {
      try {
        return readdirSync(path);
      } catch {
        return [];
      }
    },
  };
}

const DOCKER_DESKTOP_SOCKET = (home: string): string => join(home, '.docker', 'run', 'docker.sock');
const SYSTEM_DOCKER_SOCKET = '/var/run/docker.sock';
const ROOTFUL_PODMAN_SOCKET = '/run/podman/podman.sock';
/** Context metadata and config files are small; anything larger is not one. */
const MAX_JSON_BYTES = 1024 * 1024;

function endpoint(
  kind: EngineKind,
  name: string,
  host: string,
  origin: EngineOrigin,
  tls: EngineTls | null = null,
): EngineEndpoint {
  return { id: `${kind}:${host}`, kind, name, host, origin, tls };
}

function validHost(host: string): boolean {
  try {
    parseHost(host);
    return true;
  } catch {
    return false;
  }
}

function dockerConfigDir(e: DiscoveryEnvironment): string {
  return e.env.DOCKER_CONFIG || join(e.home, '.docker');
}

function readJson(e: DiscoveryEnvironment, path: string): Record<string, unknown> | null {
  const text = e.readText(path);
  if (text === null || text.length > MAX_JSON_BYTES) return null;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** TLS from the environment, as the docker CLI and docker-modem read it. */
function envTls(e: DiscoveryEnvironment, host: string): EngineTls | null {
  const parsed = parseHost(host);
  if (parsed.scheme !== 'tcp') return null;
  const verify = Boolean(e.env.DOCKER_TLS_VERIFY) && e.env.DOCKER_TLS_VERIFY !== '0';
  const wanted = verify || Boolean(e.env.DOCKER_TLS) || parsed.port === 2376;
  if (!wanted) return null;
  return { verify, certDir: e.env.DOCKER_CERT_PATH || dockerConfigDir(e) };
}

/** The docker context the CLI would use: DOCKER_CONTEXT, else config.json's currentContext. */
export function currentContextName(e: DiscoveryEnvironment): string | null {
  if (e.env.DOCKER_CONTEXT) return e.env.DOCKER_CONTEXT;
  const config = readJson(e, join(dockerConfigDir(e), 'config.json'));
  const name = config?.currentContext;
  return typeof name === 'string' && name !== '' ? name : null;
}

/** A context's docker endpoint from contexts/meta/<sha256(name)>/meta.json; null when unusable. */
export function contextEndpoint(e: DiscoveryEnvironment, name: string): EngineEndpoint | null {
  if (name === 'default') return null;
  const digest = createHash('sha256').update(name).digest('hex');
  const base = join(dockerConfigDir(e), 'contexts');
  const meta = readJson(e, join(base, 'meta', digest, 'meta.json'));
  const endpoints = meta?.Endpoints as Record<string, unknown> | undefined;
  const docker = endpoints?.docker as Record<string, unknown> | undefined;
  const host = docker?.Host;
  if (typeof host !== 'string' || !validHost(host)) return null;
  const tlsDir = join(base, 'tls', digest, 'docker');
  const tls =
    parseHost(host).scheme === 'tcp' && (e.exists(tlsDir) || host.endsWith(':2376'))
      ? { verify: docker?.SkipTLSVerify !== true, certDir: e.exists(tlsDir) ? tlsDir : null }
      : null;
  return endpoint('docker', `context "${name}"`, host, 'context', tls);
}

function allContextNames(e: DiscoveryEnvironment): string[] {
  const metaDir = join(dockerConfigDir(e), 'contexts', 'meta');
  const names: string[] = [];
  for (const digest of e.list(metaDir)) {
    if (!/^[0-9a-f]{64}$/.test(digest)) continue;
    const name = readJson(e, join(metaDir, digest, 'meta.json'))?.Name;
    if (typeof name === 'string' && name !== '') names.push(name);
  }
  return names.sort();
}

function rootlessPodmanSocket(e: DiscoveryEnvironment): string | null {
  const runtimeDir = e.env.XDG_RUNTIME_DIR || (e.uid !== null ? `/run/user/${e.uid}` : null);
  return runtimeDir ? join(runtimeDir, 'podman', 'podman.sock') : null;
}

/** Docker's engine as the docker CLI would pick it. Always answers (the system socket at worst). */
export function defaultDockerEngine(e: DiscoveryEnvironment): EngineEndpoint {
  const fromEnv = e.env.DOCKER_HOST;
  if (fromEnv && validHost(fromEnv)) {
    return endpoint('docker', 'DOCKER_HOST', fromEnv, 'DOCKER_HOST', envTls(e, fromEnv));
  }
  const context = currentContextName(e);
  const fromContext = context ? contextEndpoint(e, context) : null;
  if (fromContext) return fromContext;
  const desktop = DOCKER_DESKTOP_SOCKET(e.home);
  if (e.exists(desktop))
    return endpoint('docker', 'Docker Desktop socket', `unix://${desktop}`, 'default-socket');
  return endpoint('docker', 'Docker socket', `unix://${SYSTEM_DOCKER_SOCKET}`, 'default-socket');
}

/** Podman's engine: CONTAINER_HOST, else the socket that exists (rootful first for root). */
export function defaultPodmanEngine(e: DiscoveryEnvironment): EngineEndpoint {
  const fromEnv = e.env.CONTAINER_HOST;
  if (fromEnv && validHost(fromEnv)) {
    return endpoint('podman', 'CONTAINER_HOST', fromEnv, 'CONTAINER_HOST', envTls(e, fromEnv));
  }
  const sockets = podmanSockets(e);
  return sockets.find((s) => e.exists(socketPath(s))) ?? sockets[0]!;
}

function podmanSockets(e: DiscoveryEnvironment): EngineEndpoint[] {
  const rootless = rootlessPodmanSocket(e);
  const rootful = endpoint(
    'podman',
    'Podman (rootful)',
    `unix://${ROOTFUL_PODMAN_SOCKET}`,
    'podman-socket',
  );
  const user = rootless
    ? endpoint('podman', 'Podman (rootless)', `unix://${rootless}`, 'podman-socket')
    : null;
  const ordered = e.uid === 0 ? [rootful, user] : [user, rootful];
  return ordered.filter((x): x is EngineEndpoint => x !== null);
}

function socketPath(engine: EngineEndpoint): string {
  return engine.host.slice('unix://'.length);
}

/**
 * Every engine worth offering, most likely first: the docker CLI's choice, the other docker
 * contexts, Docker's default sockets that exist, Podman's. Unix sockets that do not exist are
 * left out, except the default Docker one when nothing else is found (so there is always one).
 */
export function discoverEngines(e: DiscoveryEnvironment = systemEnvironment()): EngineEndpoint[] {
  const found: EngineEndpoint[] = [];
  const add = (candidate: EngineEndpoint | null): void => {
    if (!candidate) return;
    if (found.some((known) => known.host === candidate.host)) return;
    const parsed = parseHost(candidate.host);
    // A socket someone named (DOCKER_HOST, a context) stays even when missing: its error says so.
    const named = candidate.origin !== 'default-socket' && candidate.origin !== 'podman-socket';
    if (parsed.scheme === 'unix' && !named && !e.exists(parsed.path)) return;
    found.push(candidate);
  };
  const docker = defaultDockerEngine(e);
  add(docker);
  for (const name of allContextNames(e)) add(contextEndpoint(e, name));
  add(
    endpoint(
      'docker',
      'Docker Desktop socket',
      `unix://${DOCKER_DESKTOP_SOCKET(e.home)}`,
      'default-socket',
    ),
  );
  add(endpoint('docker', 'Docker socket', `unix://${SYSTEM_DOCKER_SOCKET}`, 'default-socket'));
  if (e.env.CONTAINER_HOST) add(defaultPodmanEngine(e));
  for (const socket of podmanSockets(e)) add(socket);
  if (!found.some((f) => f.kind === 'docker')) found.unshift(docker);
  return found;
}
