// Where an engine listens and how to reach it: an address found in DOCKER_HOST, a docker
// context, or a well-known socket (engine-discovery.ts), turned into dockerode's options here
// and nowhere else.
import { existsSync, readFileSync } from 'node:fs';
import { Agent as HttpsAgent } from 'node:https';
import { join } from 'node:path';
import type { DockerOptions } from 'dockerode';
import { StrataError } from '../errors';

export type EngineKind = 'docker' | 'podman';

/** Where the address came from, in the order the docker CLI looks. */
export type EngineOrigin =
  'DOCKER_HOST' | 'CONTAINER_HOST' | 'context' | 'default-socket' | 'podman-socket';

export interface EngineTls {
  /** Verify the server's certificate against `ca` (DOCKER_TLS_VERIFY, or a context without SkipTLSVerify). */
  verify: boolean;
  /** A folder holding ca.pem, cert.pem and key.pem (those present are used). */
  certDir: string | null;
}

export interface EngineEndpoint {
  /** Stable key: the kind and the address (the same address found twice is one engine). */
  id: string;
  kind: EngineKind;
  /** What a person calls it: `DOCKER_HOST`, `context "colima"`, `Docker socket`, `Podman (rootless)`. */
  name: string;
  /** `unix:///var/run/docker.sock`, `tcp://host:2376`, `ssh://user@host`, `npipe:////./pipe/docker_engine`. */
  host: string;
  origin: EngineOrigin;
  tls: EngineTls | null;
}

export type ParsedHost =
  | { scheme: 'unix' | 'npipe'; path: string }
  | { scheme: 'tcp'; hostname: string; port: number }
  | { scheme: 'ssh'; hostname: string; port: number; username: string | undefined };

/** Parses a DOCKER_HOST-style address; `host:port` without a scheme means tcp, as for the CLI. */
export function parseHost(raw: string): ParsedHost {
  const text = raw.trim();
  const bad = (why: string): never => {
    throw new StrataError(
      'bad-request',
      `"${raw}" is not an engine address (${why}); expected unix:///path/to/docker.sock, tcp://HOST:PORT or ssh://USER@HOST`,
    );
  };
  if (text.startsWith('unix://')) {
    const path = text.slice('unix://'.length);
    if (!path.startsWith('/')) bad('a unix socket needs an absolute path');
    return { scheme: 'unix', path };
  }
  if (text.startsWith('npipe://')) {
    return { scheme: 'npipe', path: text.slice('npipe://'.length) || '//./pipe/docker_engine' };
  }
  const withScheme = text.includes('://') ? text : `tcp://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return bad('not a URL');
  }
  if (!url.hostname) bad('no host name');
  if (url.protocol === 'tcp:' || url.protocol === 'http:' || url.protocol === 'https:') {
    return { scheme: 'tcp', hostname: url.hostname, port: Number(url.port || 2375) };
  }
  if (url.protocol === 'ssh:') {
    return {
      scheme: 'ssh',
      hostname: url.hostname,
      port: Number(url.port || 22),
      username: url.username ? decodeURIComponent(url.username) : undefined,
    };
  }
  return bad(`the scheme ${url.protocol} is not supported`);
}

/** The unix socket path of an endpoint, or null when it is reached another way. */
export function socketPathOf(endpoint: EngineEndpoint): string | null {
  const parsed = parseHost(endpoint.host);
  return parsed.scheme === 'unix' ? parsed.path : null;
}

export interface ClientSettings {
  /** Idle time after which a request is given up (the engine answers nothing). */
  timeoutMs?: number;
  /** `1.41`: pins the API version (DOCKER_API_VERSION); unset: the engine's own. */
  apiVersion?: string;
  env?: NodeJS.ProcessEnv;
}

function readIfPresent(dir: string | null, file: string): Buffer | undefined {
  if (!dir) return undefined;
  const path = join(dir, file);
  return existsSync(path) ? readFileSync(path) : undefined;
}

/**
 * dockerode's options for an endpoint. Every field is given (undefined when unused) because
 * docker-modem merges our options over what it reads from DOCKER_HOST itself: a tcp DOCKER_HOST
 * would otherwise win over the unix socket we ask for.
 */
export function dockerodeOptions(
  endpoint: EngineEndpoint,
  settings: ClientSettings = {},
): DockerOptions {
  const parsed = parseHost(endpoint.host);
  const options: DockerOptions & Record<string, unknown> = {
    socketPath: undefined,
    host: undefined,
    port: undefined,
    protocol: undefined,
    username: undefined,
    ca: undefined,
    cert: undefined,
    key: undefined,
    sshOptions: undefined,
    agent: undefined,
    pathPrefix: undefined,
    timeout: settings.timeoutMs,
    version: settings.apiVersion ? `v${settings.apiVersion}` : undefined,
    connectionTimeout: settings.timeoutMs,
  };
  switch (parsed.scheme) {
    case 'unix':
    case 'npipe':
      options.socketPath = parsed.path;
      break;
    case 'tcp': {
      options.host = parsed.hostname;
      options.port = parsed.port;
      options.protocol = endpoint.tls ? 'https' : 'http';
      if (endpoint.tls) {
        const dir = endpoint.tls.certDir;
        const ca = readIfPresent(dir, 'ca.pem');
        const cert = readIfPresent(dir, 'cert.pem');
        const key = readIfPresent(dir, 'key.pem');
        options.ca = ca;
        options.cert = cert;
        options.key = key;
        // docker-modem passes ca/cert/key but not rejectUnauthorized: an agent carries it.
        options.agent = new HttpsAgent({ ca, cert, key, rejectUnauthorized: endpoint.tls.verify });
      }
      break;
    }
    case 'ssh': {
      const env = settings.env ?? process.env;
      options.host = parsed.hostname;
      options.port = parsed.port;
      options.protocol = 'ssh';
      options.username = parsed.username;
      options.sshOptions = { agent: env.SSH_AUTH_SOCK };
      quietModemSshUrlWarning();
      break;
    }
  }
  return options;
}

let sshUrlWarningQuiet = false;

/**
 * docker-modem writes an ssh engine's request address without slashes (`ssh:HOST:PORT/...`) and
 * parses it again, for which Node prints DEP0170 on the user's terminal; the request goes through
 * the ssh connection and never uses that address. Only that warning is dropped.
 */
function quietModemSshUrlWarning(): void {
  if (sshUrlWarningQuiet) return;
  sshUrlWarningQuiet = true;
  const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const code = typeof rest[0] === 'object' ? (rest[0] as { code?: string })?.code : rest[1];
    if (code === 'DEP0170' && String(warning).includes('The URL ssh:')) return;
    emit(warning, ...rest);
  }) as typeof process.emitWarning;
}

/** A short, human description of where an endpoint lives, for messages. */
export function describeEndpoint(endpoint: EngineEndpoint): string {
  return `${endpoint.kind === 'podman' ? 'the Podman engine' : 'the engine'} at ${endpoint.host}`;
}
