// The engines a session can use and which one it uses now. The list is discovered afresh and
// each engine pinged when asked for; the current one is the first that answers, until the user
// picks another. Only listed engines can be picked: a renderer cannot point Strata at an address.
import type { EngineInfo, EngineList } from '../../api/engine';
import { describeError, StrataError } from '../errors';
import { EngineClient, type ClientOptions } from './engine-client';
import { discoverEngines } from './engine-discovery';
import type { EngineEndpoint } from './engine-endpoint';

const PING_TIMEOUT_MS = 2_500;
const VERSION_TIMEOUT_MS = 6_000;

interface Probe {
  reachable: boolean;
  version: string | null;
  problem: string | null;
}

export class EngineRegistry {
  private endpoints: EngineEndpoint[] = [];
  private currentId: string | null = null;
  private chosen = false;
  private readonly clients = new Map<string, EngineClient>();
  private readonly probes = new Map<string, Probe>();

  constructor(
    private readonly discover: () => EngineEndpoint[] = () => discoverEngines(),
    private readonly clientOptions: ClientOptions = {},
  ) {}

  /** Discovers the engines again and pings each; the current one stays unless it is gone. */
  async list(): Promise<EngineList> {
    this.refresh();
    await Promise.all(this.endpoints.map((endpoint) => this.probe(endpoint)));
    if (!this.chosen) {
      const answering = this.endpoints.find((e) => this.probes.get(e.id)?.reachable);
      this.currentId = (answering ?? this.endpoints[0])?.id ?? null;
    }
    return this.snapshot();
  }

  async select(id: string): Promise<EngineList> {
    if (!this.endpoints.some((e) => e.id === id)) this.refresh();
    if (!this.endpoints.some((e) => e.id === id)) {
      throw new StrataError(
        'not-found',
        `No engine "${id}" among those found (${this.endpoints.map((e) => e.host).join(', ') || 'none'}); list the engines again`,
      );
    }
    this.currentId = id;
    this.chosen = true;
    return this.list();
  }

  /** The client for the current engine (discovering without pinging if nothing was listed yet). */
  current(): EngineClient {
    if (this.currentId === null || !this.endpoints.some((e) => e.id === this.currentId)) {
      this.refresh();
      this.currentId = this.endpoints[0]?.id ?? null;
    }
    const endpoint = this.endpoints.find((e) => e.id === this.currentId);
    if (!endpoint) throw new StrataError('engine-unavailable', 'No Docker or Podman engine found');
    return this.clientFor(endpoint);
  }

  info(endpoint: EngineEndpoint): EngineInfo {
    const probe = this.probes.get(endpoint.id);
    return {
      id: endpoint.id,
      kind: endpoint.kind,
      name: endpoint.name,
      host: endpoint.host,
      reachable: probe?.reachable ?? null,
      version: probe?.version ?? null,
    };
  }

  /** Records what a call to the engine just learnt about whether it answers. */
  noteReachable(endpoint: EngineEndpoint, reachable: boolean, problem: string | null = null): void {
    const known = this.probes.get(endpoint.id);
    this.probes.set(endpoint.id, {
      reachable,
      version: reachable ? (known?.version ?? null) : null,
      problem,
    });
  }

  private clientFor(endpoint: EngineEndpoint): EngineClient {
    let client = this.clients.get(endpoint.id);
    if (!client) {
      client = new EngineClient(endpoint, this.clientOptions);
      this.clients.set(endpoint.id, client);
    }
    return client;
  }

  private refresh(): void {
    this.endpoints = this.discover();
    if (this.currentId !== null && !this.endpoints.some((e) => e.id === this.currentId)) {
      this.currentId = null;
      this.chosen = false;
    }
  }

  private async probe(endpoint: EngineEndpoint): Promise<void> {
    const client = this.clientFor(endpoint);
    // /_ping says quickly whether it answers; /version (slower: Podman asks its runtimes) says
    // what it is. An engine that pings but is slow to say its version is still reachable.
    const [answers, version] = await Promise.all([
      client.ping(PING_TIMEOUT_MS),
      client.version(AbortSignal.timeout(VERSION_TIMEOUT_MS)).then(
        (v) => ({ ok: true as const, v }),
        (err: unknown) => ({
          ok: false as const,
          problem:
            err instanceof StrataError && err.code === 'cancelled'
              ? `${endpoint.host} did not answer within ${VERSION_TIMEOUT_MS / 1000} s`
              : describeError(err).message,
        }),
      ),
    ]);
    if (version.ok) {
      const { product, version: number, apiVersion } = version.v;
      const api = apiVersion ? ` (API ${apiVersion})` : '';
      this.probes.set(endpoint.id, {
        reachable: true,
        version: `${product} ${number}${api}`.trim(),
        problem: null,
      });
    } else {
      this.probes.set(endpoint.id, {
        reachable: answers,
        version: null,
        problem: answers ? null : version.problem,
      });
    }
  }

  private snapshot(): EngineList {
    return {
      engines: this.endpoints.map((e) => this.info(e)),
      currentId: this.currentId ?? '',
    };
  }
}
