// The engine half of StrataApi, the same over both transports: each method is one call of an
// engine channel (src-main/api/engine.ts), made by whatever `call` the transport has.
import type {
  EngineChannels,
  EngineImageList,
  EngineList,
  ExportCacheInfo,
} from '../../../src-main/api/engine';
import type { OpenedImage } from '../../../src-main/api/model';

export type EngineChannel = keyof EngineChannels;

/** One call of an engine channel: resolves to its response, throws ApiError for `{ok:false}`. */
export type EngineCall = <C extends EngineChannel>(
  channel: C,
  request: EngineChannels[C]['request'],
) => Promise<EngineChannels[C]['response']>;

export interface EngineApi {
  /** The engines found, each pinged, and which one is used. */
  list(): Promise<EngineList>;
  select(id: string): Promise<EngineList>;
  /** The current engine's images; `engine-images-changed` events follow. */
  images(): Promise<EngineImageList>;
  /** `openId` is the caller's: progress events carry it, cancelOpen takes it. */
  open(ref: string, openId: string, platform?: string): Promise<OpenedImage>;
  cancelOpen(openId: string): Promise<void>;
  cacheInfo(): Promise<ExportCacheInfo>;
  clearCache(): Promise<ExportCacheInfo>;
}

export function createEngineApi(call: EngineCall): EngineApi {
  return {
    list: () => call('engine:list', {}),
    select: (id) => call('engine:select', { id }),
    images: () => call('engine:images', {}),
    open: (ref, openId, platform) =>
      call('engine:open', platform ? { ref, openId, platform } : { ref, openId }),
    async cancelOpen(openId) {
      await call('engine:cancelOpen', { openId });
    },
    cacheInfo: () => call('engine:cacheInfo', {}),
    clearCache: () => call('engine:clearCache', {}),
  };
}
