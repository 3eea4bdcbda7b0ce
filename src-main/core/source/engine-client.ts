// A thin client for the Docker Engine API (and Podman's Docker-compatible API) over dockerode's
// modem: the few calls Strata makes, each with a timeout and an AbortSignal, image names checked
// before they reach a URL, answers checked before use, and every failure turned into a
// StrataError that says what to do (engine-errors.ts).
import type { NetConnectOpts } from 'node:net';
import { stringify } from 'node:querystring';
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { loadDockerode } from './deferred-engine-modules';
import type { EngineImageSummary } from '../../api/engine';
import { StrataError } from '../errors';
import { dockerodeOptions, type EngineEndpoint } from './engine-endpoint';
import { engineError, type FailureContext } from './engine-errors';
import { parseImageRef } from './image-ref';
import { plainSocketOf, SocketTimeout, socketGet } from './socket-export';

export type { EngineImageSummary };

export interface EngineVersion {
  /** `Docker Engine - Community`, `Podman Engine`, ... */
  product: string;
  version: string;
  apiVersion: string;
  os: string;
  arch: string;
}

export interface EngineImageDetails {
  id: string;
  tags: string[];
  digests: string[];
  os: string;
  architecture: string;
  created: string | null;
  /** The engine's idea of the image's size (the layers' content), the export's expected size. */
  size: number;
  /** rootfs diff IDs, base first. */
  diffIds: string[];
}

export interface EngineHistoryItem {
  /** The step's image ID, or `<missing>`. */
  id: string;
  /** ISO 8601, or null. */
  created: string | null;
  createdBy: string;
  size: number;
  comment: string;
}

export interface EngineImageEvent {
  /** `tag`, `untag`, `delete`, `pull`, `load`, `import`, `save`, ... */
  action: string;
  /** The image ID or name the event is about. */
  id: string;
  /** The image name in the event's attributes, when given. */
  name: string | null;
}

export interface ClientOptions {
  /** Time allowed for a short call (version, list, inspect, history), default 20 s. */
  timeoutMs?: number;
  /** Time an export may stay silent once it has started, default 120 s. */
  exportIdleMs?: number;
  /** Pins the API version, as DOCKER_API_VERSION does; default: the env's, else the engine's own. */
  apiVersion?: string;
  env?: NodeJS.ProcessEnv;
}

export interface ExportOptions {
  signal?: AbortSignal;
  /** `os/arch[/variant]`: sent only to engines that take it (API 1.48+). */
  platform?: string;
  /** How the user named the image, for messages (the export itself goes by `ref`). */
  name?: string;
}

type Query = Record<string, string | string[] | Record<string, unknown>>;

interface DialOptions {
  what: string;
  ref?: string;
  query?: Query;
  signal?: AbortSignal;
  stream?: boolean;
  /** Time allowed until the answer's headers, instead of the client's `timeoutMs`. */
  timeoutMs?: number;
}

interface Modem {
  dial(options: Record<string, unknown>, callback: (err: unknown, data: unknown) => void): void;
}

const DEFAULT_TIMEOUT_MS = 20_000;
const DEFAULT_EXPORT_IDLE_MS = 120_000;
/** Everything but export and events fits in this; a bigger answer is not an engine's. */
const MAX_JSON_ANSWER = 64 * 1024 * 1024;

export class EngineClient {
  private readonly modem: Modem;
  private readonly timeoutMs: number;
  private readonly exportIdleMs: number;
  readonly apiVersion: string | undefined;

  constructor(
    readonly endpoint: EngineEndpoint,
    options: ClientOptions = {},
  ) {
    const env = options.env ?? process.env;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.exportIdleMs = options.exportIdleMs ?? DEFAULT_EXPORT_IDLE_MS;
    this.apiVersion = options.apiVersion ?? (env.DOCKER_API_VERSION || undefined);
    const Dockerode = loadDockerode();
    let docker: Docker;
    try {
      docker = new Dockerode(dockerodeOptions(endpoint, { apiVersion: this.apiVersion, env }));
    } catch (err) {
      // docker-modem reads DOCKER_CERT_PATH's files itself when DOCKER_HOST is tcp.
      throw new StrataError(
        'engine-unavailable',
        `Cannot set up a client for ${endpoint.host}: ${(err as Error).message}; check DOCKER_HOST and DOCKER_CERT_PATH`,
      );
    }
    this.modem = docker.modem as unknown as Modem;
  }

  /** `/version`: what the engine is and which API it speaks. */
  async version(signal?: AbortSignal): Promise<EngineVersion> {
    const json = await this.json('/version', { what: 'say its version', signal });
    const v = asObject(json);
    const components = Array.isArray(v.Components) ? v.Components : [];
    const first = asObject(components[0]);
    // Docker names its engine component `Engine` (the product is Platform.Name); Podman `Podman Engine`.
    const component = str(first.Name);
    const platform = str(asObject(v.Platform).Name);
    return {
      product: component && component !== 'Engine' ? component : platform || 'Docker Engine',
      version: str(v.Version),
      apiVersion: str(v.ApiVersion),
      os: str(v.Os),
      arch: str(v.Arch),
    };
  }

  /** True when the engine answers `/_ping` within `timeoutMs`. Never throws. */
  async ping(timeoutMs = 3_000): Promise<boolean> {
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      await this.dial('/_ping', { what: 'answer a ping', signal });
      return true;
    } catch {
      return false;
    }
  }

  async listImages(signal?: AbortSignal): Promise<EngineImageSummary[]> {
    const json = await this.json('/images/json?', { what: 'list its images', signal });
    if (!Array.isArray(json)) throw this.oddAnswer('list its images', 'not a list');
    return json.map((item) => {
      const image = asObject(item);
      const tags = strList(image.RepoTags).filter((tag) => tag !== '<none>:<none>');
      return {
        id: str(image.Id),
        tags,
        digests: strList(image.RepoDigests).filter((d) => d !== '<none>@<none>'),
        size: num(image.Size),
        created: secondsToIso(image.Created),
        dangling: tags.length === 0,
      };
    });
  }

  async inspectImage(ref: string, signal?: AbortSignal): Promise<EngineImageDetails> {
    parseImageRef(ref);
    const what = `inspect ${ref}`;
    const image = asObject(await this.json(`/images/${ref}/json`, { what, ref, signal }));
    const rootfs = asObject(image.RootFS);
    const id = str(image.Id);
    if (!/^sha256:[0-9a-f]{64}$/.test(id))
      throw this.oddAnswer(what, `the image ID "${id.slice(0, 80)}" is not a digest`);
    return {
      id,
      tags: strList(image.RepoTags).filter((tag) => tag !== '<none>:<none>'),
      digests: strList(image.RepoDigests).filter((d) => d !== '<none>@<none>'),
      os: str(image.Os),
      architecture: str(image.Architecture),
      created: str(image.Created) || null,
      size: num(image.Size),
      diffIds: strList(rootfs.Layers),
    };
  }

  /** The image's history, oldest first (the engine answers newest first). */
  async imageHistory(ref: string, signal?: AbortSignal): Promise<EngineHistoryItem[]> {
    parseImageRef(ref);
    const what = `read the history of ${ref}`;
    const json = await this.json(`/images/${ref}/history`, { what, ref, signal });
    if (!Array.isArray(json)) throw this.oddAnswer(what, 'not a list');
    return json
      .map((item) => {
        const step = asObject(item);
        return {
          id: str(step.Id),
          created: secondsToIso(step.Created),
          createdBy: str(step.CreatedBy),
          size: num(step.Size),
          comment: str(step.Comment),
        };
      })
      .reverse();
  }

  /**
   * The export of one image (`GET /images/get?names=REF`, what `docker save` calls): a tar stream.
   * Aborting `signal` destroys it. A stream silent for longer than the idle limit fails.
   */
  async exportImage(ref: string, options: ExportOptions = {}): Promise<Readable> {
    parseImageRef(ref);
    const query: Query = { names: [ref] };
    if (options.platform) {
      const version = await this.version(options.signal);
      if (compareApi(version.apiVersion, '1.48') < 0) {
        throw new StrataError(
          'unsupported',
          `${this.endpoint.host} speaks API ${version.apiVersion}: it exports only its default platform (choosing one needs API 1.48, Docker 28); leave out the platform`,
        );
      }
      const [os, architecture, variant] = options.platform.split('/');
      query.platform = { os, architecture, ...(variant ? { variant } : {}) };
    }
    const what = `export ${options.name ?? ref}`;
    const socket = plainSocketOf(this.endpoint);
    if (socket) return this.exportOverSocket(socket, query, what, ref, options.signal);
    const stream = (await this.dial('/images/get?', {
      what,
      ref,
      query,
      signal: options.signal,
      stream: true,
      // An export may take a while to start, but an engine that never answers must not hang
      // the open: its headers get the idle limit, as its silences do.
      timeoutMs: this.exportIdleMs,
    })) as Readable;
    this.watchIdle(stream, what);
    return stream;
  }

  private async exportOverSocket(
    socket: NetConnectOpts,
    query: Query,
    what: string,
    ref: string,
    signal: AbortSignal | undefined,
  ): Promise<Readable> {
    if (signal?.aborted) throw cancelled(what);
    const prefix = this.apiVersion ? `/v${this.apiVersion}` : '';
    try {
      return await socketGet(socket, `${prefix}/images/get?${queryString(query)}`, {
        signal,
        idleMs: this.exportIdleMs,
        onIdle: () => this.silent(what),
      });
    } catch (err) {
      if (signal?.aborted) throw cancelled(what);
      throw engineError(err, this.endpoint, {
        what,
        ref,
        timeoutMs: this.exportIdleMs,
        apiVersion: this.apiVersion,
        timedOut: err instanceof SocketTimeout,
      });
    }
  }

  /**
   * Follows the engine's image events until `signal` aborts or the stream ends (the engine
   * stopped). Resolves when it ends; rejects when it cannot start.
   */
  async followImageEvents(
    onEvent: (event: EngineImageEvent) => void,
    signal: AbortSignal,
    onOpen?: () => void,
  ): Promise<void> {
    const stream = (await this.dial('/events?', {
      what: 'follow its events',
      query: { filters: { type: ['image'] } },
      signal,
      stream: true,
      // The answer's headers come at once; only waiting for them is bounded.
    })) as Readable;
    onOpen?.();
    let buffered = '';
    const take = (line: string): void => {
      if (!line.trim()) return;
      let parsed: Record<string, unknown>;
      try {
        parsed = asObject(JSON.parse(line));
      } catch {
        return;
      }
      const actor = asObject(parsed.Actor);
      const attributes = asObject(actor.Attributes);
      const action = str(parsed.Action) || str(parsed.status);
      if (!action) return;
      onEvent({
        action,
        id: str(actor.ID) || str(parsed.id),
        name: str(attributes.name) || null,
      });
    };
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        buffered += chunk.toString('utf8');
        if (buffered.length > 1024 * 1024) buffered = ''; // no line is that long: resync
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          take(buffered.slice(0, nl));
          buffered = buffered.slice(nl + 1);
        }
      }
      take(buffered);
    } catch (err) {
      if (signal.aborted) return;
      throw engineError(err, this.endpoint, { what: 'follow its events' });
    }
  }

  private async json(path: string, options: DialOptions): Promise<unknown> {
    const answer = await this.dial(path, options);
    if (Buffer.isBuffer(answer)) {
      if (answer.length > MAX_JSON_ANSWER) throw this.oddAnswer(options.what, 'too large');
      throw this.oddAnswer(options.what, 'not JSON');
    }
    return answer;
  }

  private oddAnswer(what: string, problem: string): StrataError {
    return new StrataError(
      'engine-failed',
      `${this.endpoint.host} gave an answer Strata cannot use when asked to ${what} (${problem}): is it a Docker or Podman engine?`,
    );
  }

  /** One request through docker-modem, bounded by our timer and the caller's signal. */
  private dial(path: string, options: DialOptions): Promise<unknown> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(cancelled(options.what));
    const timer = new AbortController();
    const combined = signal ? AbortSignal.any([signal, timer.signal]) : timer.signal;
    const limit = options.timeoutMs ?? this.timeoutMs;
    const context: FailureContext = {
      what: options.what,
      ref: options.ref,
      timeoutMs: limit,
      apiVersion: this.apiVersion,
    };
    return new Promise((resolve, reject) => {
      const timeout = setTimeout(() => timer.abort(), limit).unref();
      this.modem.dial(
        {
          path,
          method: 'GET',
          options: { ...(options.query ?? {}) },
          abortSignal: combined,
          isStream: options.stream === true,
          statusCodes: { 200: true },
        },
        (err, data) => {
          clearTimeout(timeout);
          if (!err) return resolve(data);
          if (signal?.aborted) return reject(cancelled(options.what));
          reject(engineError(err, this.endpoint, { ...context, timedOut: timer.signal.aborted }));
        },
      );
    });
  }

  /**
   * Fails a stream whose socket stays silent for longer than the export idle limit. The socket's
   * own idle timer, so that nothing here reads the stream (a 'data' listener would start it
   * flowing before its consumer is there).
   */
  private watchIdle(stream: Readable, what: string): void {
    const answer = stream as Readable & { setTimeout?: (ms: number, cb: () => void) => unknown };
    answer.setTimeout?.(this.exportIdleMs, () => stream.destroy(this.silent(what)));
  }

  private silent(what: string): StrataError {
    return new StrataError(
      'engine-failed',
      `${this.endpoint.host} sent nothing for ${Math.round(this.exportIdleMs / 1000)} s (${what}): the engine is stuck; try again`,
    );
  }
}

export function cancelled(what: string): StrataError {
  return new StrataError('cancelled', `Cancelled: ${what}`);
}

/** -1, 0, 1 comparing API versions such as `1.41` and `1.48`. */
export function compareApi(a: string, b: string): number {
  const [a1 = 0, a2 = 0] = a.split('.').map(Number);
  const [b1 = 0, b2 = 0] = b.split('.').map(Number);
  return Math.sign(a1 - b1 || a2 - b2);
}

/** A query as docker-modem writes one: objects as JSON, lists as repeated keys. */
function queryString(query: Query): string {
  const flat: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(query)) {
    flat[key] = typeof value === 'object' && !Array.isArray(value) ? JSON.stringify(value) : value;
  }
  return stringify(flat);
}

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;
}

function strList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((x): x is string => typeof x === 'string') : [];
}

function secondsToIso(value: unknown): string | null {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return null;
  const date = new Date(value * 1000);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
