// What went wrong talking to an engine, said so a person knows what to do next. Every failure of
// engine-client.ts passes through engineError(): socket errors, HTTP answers, timeouts.
import { StrataError } from '../errors';
import { describeEndpoint, type EngineEndpoint, parseHost } from './engine-endpoint';

export interface FailureContext {
  /** What was asked, for the message: `list images`, `inspect alpine:3`, `export alpine:3`. */
  what: string;
  /** The image asked about, when there is one. */
  ref?: string;
  /** True when our own timer gave up waiting. */
  timedOut?: boolean;
  timeoutMs?: number;
  /** The API version pinned with DOCKER_API_VERSION, if any. */
  apiVersion?: string;
}

/** An error answer as dockerode gives one (socket-export.ts makes them the same way). */
export interface HttpFailure {
  statusCode: number;
  json?: unknown;
  message: string;
}

function isHttpFailure(err: unknown): err is HttpFailure {
  return (
    typeof err === 'object' &&
    err !== null &&
    typeof (err as { statusCode?: unknown }).statusCode === 'number'
  );
}

/** The engine's own words from an HTTP error body (`{"message": "..."}`), else modem's text. */
function engineMessage(err: HttpFailure): string {
  const json = err.json as { message?: unknown } | string | undefined;
  if (json && typeof json === 'object' && typeof json.message === 'string') return json.message;
  if (typeof json === 'string' && json.trim()) return json.trim();
  return err.message.replace(/^\(HTTP code \d+\)\s*[^-]*-\s*/, '').trim();
}

function startAdvice(endpoint: EngineEndpoint): string {
  if (endpoint.origin === 'context') {
    return `start the engine the docker ${endpoint.name} points at, or switch to another (\`docker context use default\`)`;
  }
  return endpoint.kind === 'podman'
    ? "start Podman's API service (`systemctl --user start podman.socket`, or `podman system service`), or set CONTAINER_HOST to its address"
    : 'start Docker (`sudo systemctl start docker`, or open Docker Desktop), or set DOCKER_HOST to the address of a running engine';
}

function permissionAdvice(endpoint: EngineEndpoint): string {
  return endpoint.kind === 'podman'
    ? 'use your own rootless socket (`systemctl --user start podman.socket`; it listens at $XDG_RUNTIME_DIR/podman/podman.sock) or run as root for /run/podman/podman.sock'
    : 'add your user to the docker group (`sudo usermod -aG docker $USER`, then log out and in again), or use a rootless engine (DOCKER_HOST=unix://$XDG_RUNTIME_DIR/docker.sock)';
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const TLS_CODES = /CERT|TLS|SSL|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_OSSL/;

export function engineError(
  err: unknown,
  endpoint: EngineEndpoint,
  context: FailureContext,
): StrataError {
  if (err instanceof StrataError) return err;
  const where = describeEndpoint(endpoint);
  const host = endpoint.host;
  if (context.timedOut) {
    const seconds = Math.round((context.timeoutMs ?? 0) / 1000);
    return new StrataError(
      'engine-unavailable',
      `${capital(where)} did not answer (${context.what}) within ${seconds} s: the engine is stuck or overloaded, or the address is not an engine's; check it with \`docker info\` and try again`,
    );
  }
  if (isHttpFailure(err)) {
    const said = engineMessage(err);
    if (err.statusCode === 400 && /API version|client version/i.test(said)) {
      const pinned = context.apiVersion ? ` ${context.apiVersion}` : '';
      return new StrataError(
        'engine-version',
        `${capital(where)} refused the API version${pinned} ("${said}"): unset DOCKER_API_VERSION, or set it to a version the engine supports`,
      );
    }
    if (err.statusCode === 404 && context.ref !== undefined) {
      return new StrataError(
        'not-found',
        `No image "${context.ref}" in ${where} (the engine says: ${said}); check the name with \`${endpoint.kind} images\`, or pull it first`,
      );
    }
    return new StrataError(
      'engine-failed',
      `${capital(where)} could not ${context.what} (HTTP ${err.statusCode}: ${said})`,
    );
  }
  const e = err as NodeJS.ErrnoException | undefined;
  const code = typeof e?.code === 'string' ? e.code : '';
  const parsed = parseHost(host);
  const socket = parsed.scheme === 'unix' || parsed.scheme === 'npipe' ? parsed.path : null;
  switch (code) {
    case 'ENOENT':
      return new StrataError(
        'engine-unavailable',
        `No engine at ${host}: there is no socket at ${socket ?? host}; ${startAdvice(endpoint)}`,
      );
    case 'ECONNREFUSED':
      return new StrataError(
        'engine-unavailable',
        `Nothing is listening at ${host} (connection refused): the engine is not running; ${startAdvice(endpoint)}`,
      );
    case 'EACCES':
    case 'EPERM':
      return new StrataError(
        'engine-permission',
        `Permission denied on ${socket ?? host}: this user may not use ${where}; ${permissionAdvice(endpoint)}`,
      );
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ERR_STREAM_PREMATURE_CLOSE':
    case 'HPE_INVALID_CONSTANT':
    case 'HPE_INVALID_STATUS':
      return new StrataError(
        'engine-unavailable',
        `${host} closed the connection without answering (${context.what}): it is not a working Docker or Podman API socket, or the engine is stopping; check DOCKER_HOST, restart the engine, and try again`,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ETIMEDOUT':
      return new StrataError(
        'engine-unavailable',
        `Cannot reach ${host} (${code}): check the address in DOCKER_HOST (or the docker context) and the network`,
      );
  }
  if (TLS_CODES.test(code)) {
    return new StrataError(
      'engine-unavailable',
      `The TLS connection to ${host} failed (${code}: ${e?.message ?? ''}): check the certificates in DOCKER_CERT_PATH (ca.pem, cert.pem, key.pem) and DOCKER_TLS_VERIFY`,
    );
  }
  if (parsed.scheme === 'ssh') {
    return new StrataError(
      'engine-unavailable',
      `Could not reach the engine over ${host} (${e?.message ?? String(err)}): check that \`ssh ${host.slice(6)} docker system dial-stdio\` works (an ssh agent with your key, docker installed on the remote)`,
    );
  }
  return new StrataError(
    'engine-failed',
    `${capital(where)} could not ${context.what}: ${e?.message ?? String(err)}`,
  );
}
