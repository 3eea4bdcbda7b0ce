// The engine side of a StrataService: which engines there are and which one is used, its image
// list kept fresh from its events, opens in flight (each cancellable by the caller's openId),
// and the export cache. Everything it learns goes out as StrataEvents through `emit`.
import { randomUUID } from 'node:crypto';
import type { StrataEvent } from '../../api/contract';
import type { EngineImageList, EngineList, ExportCacheInfo } from '../../api/engine';
import { describeError, StrataError } from '../errors';
import type { ImageChoice } from '../archive/resolve-image';
import type { LayerIndexCache } from '../layer/index-cache';
import type { ClientOptions, EngineClient } from './engine-client';
import type { EngineEndpoint } from './engine-endpoint';
import { openEngineImage, type EngineOpenOptions } from './engine-open';
import { discoverEngines, systemEnvironment } from './engine-discovery';
import { EngineRegistry } from './engine-registry';
import { EngineWatch } from './engine-watch';
import { ExportCache } from './export-cache';
import { openSource, type OpenedSource } from './open-source';
import { engineSourceLabel } from './source-spec';
import type { ImageModel } from '../image/load-image';

export interface EngineSessionOptions {
  exportCache?: ExportCache;
  /** Finds the engines; default: discoverEngines() over this process's environment. */
  discover?: () => EngineEndpoint[];
  client?: ClientOptions;
  env?: NodeJS.ProcessEnv;
}

export interface OpenedEngineModel {
  model: ImageModel;
  label: string;
}

export class EngineSession {
  readonly exportCache: ExportCache;
  private readonly registry: EngineRegistry;
  private readonly opens = new Map<string, AbortController>();
  private watch: EngineWatch | null = null;
  private readonly env: NodeJS.ProcessEnv;

  constructor(
    private readonly emit: (event: StrataEvent) => void,
    options: EngineSessionOptions = {},
  ) {
    this.env = options.env ?? process.env;
    this.exportCache = options.exportCache ?? ExportCache.fromEnvironment(this.env);
    const env = this.env;
    this.registry = new EngineRegistry(
      options.discover ?? (() => discoverEngines(systemEnvironment(env))),
      { env, ...options.client },
    );
  }

  list(): Promise<EngineList> {
    return this.registry.list();
  }

  async select(id: string): Promise<EngineList> {
    const list = await this.registry.select(id);
    if (this.watch && this.watch.client !== this.registry.current()) await this.stopWatch();
    return list;
  }

  /** The current engine's images; from now on its events say when the list changes. */
  async images(): Promise<EngineImageList> {
    const client = this.registry.current();
    this.follow(client);
    try {
      const images = await client.listImages();
      this.registry.noteReachable(client.endpoint, true);
      return { engine: this.registry.info(client.endpoint), images };
    } catch (err) {
      this.registry.noteReachable(client.endpoint, false, describeError(err).message);
      throw err;
    }
  }

  /** Opens `ref` from the current engine; `openId` names it in events and for cancel(). */
  async open(
    ref: string,
    openId: string,
    layerCache: LayerIndexCache,
    choice: Pick<ImageChoice, 'platform'> = {},
  ): Promise<OpenedEngineModel> {
    const client = this.registry.current();
    const label = engineSourceLabel(client.endpoint.kind, ref);
    return this.tracked(openId, async (signal) => {
      const opened = await openEngineImage(client, ref, {
        ...this.hooks(openId, label),
        layerCache,
        exportCache: this.exportCache,
        signal,
        platform: choice.platform,
        label,
      });
      return { model: opened.model, label };
    });
  }

  /** A SOURCE given as text (`strata web docker://alpine`): through the one resolver. */
  async openSource(
    text: string,
    layerCache: LayerIndexCache,
    choice: ImageChoice = {},
    openId: string = randomUUID(),
  ): Promise<OpenedSource> {
    return this.tracked(openId, (signal) =>
      openSource(text, {
        ...choice,
        layerCache,
        exportCache: this.exportCache,
        env: this.env,
        signal,
        engine: this.hooks(openId, text),
      }),
    );
  }

  /** Cancels an open in flight; nothing happens for an open that already ended. */
  cancel(openId: string): void {
    this.opens.get(openId)?.abort();
  }

  cacheInfo(): Promise<ExportCacheInfo> {
    return this.exportCache.info();
  }

  clearCache(): Promise<ExportCacheInfo> {
    return this.exportCache.clear();
  }

  /** Cancels every open, stops following events. */
  async dispose(): Promise<void> {
    for (const controller of this.opens.values()) controller.abort();
    await this.stopWatch();
  }

  private async tracked<T>(openId: string, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.opens.has(openId)) {
      throw new StrataError('bad-request', `An open with the id ${openId} is already running`);
    }
    const controller = new AbortController();
    this.opens.set(openId, controller);
    try {
      return await run(controller.signal);
    } finally {
      this.opens.delete(openId);
    }
  }

  private hooks(
    openId: string,
    label: string,
  ): Pick<EngineOpenOptions, 'onPreview' | 'onProgress' | 'onLayer' | 'onLoad'> {
    return {
      onPreview: (preview) => this.emit({ type: 'engine-open-preview', openId, preview }),
      onProgress: (p) =>
        this.emit({
          type: 'engine-open-progress',
          openId,
          phase: p.complete ? 'loading' : 'exporting',
          bytes: p.bytes,
          expectedBytes: p.expectedBytes,
          layersIndexed: p.layersIndexed,
          layerCount: p.layerCount,
          cached: p.cached,
        }),
      onLayer: (layer) => this.emit({ type: 'engine-layer-indexed', openId, ...layer }),
      onLoad: (phase, done, total) =>
        this.emit({ type: 'progress', source: label, phase, done, total }),
    };
  }

  private follow(client: EngineClient): void {
    if (this.watch?.client === client) return;
    void this.stopWatch();
    const engineId = client.endpoint.id;
    const watch = new EngineWatch(client, {
      onChange: (action) => this.emit({ type: 'engine-images-changed', engineId, action }),
      onStatus: (reachable, message) => {
        this.registry.noteReachable(client.endpoint, reachable, message);
        this.emit({ type: 'engine-status', engineId, reachable, message });
      },
    });
    this.watch = watch;
    watch.start();
  }

  private async stopWatch(): Promise<void> {
    const watch = this.watch;
    this.watch = null;
    await watch?.stop();
  }
}
