// The engine channels of the dispatcher (api/engine.ts): each request checked field by field
// before the service sees it, then the service call. dispatch.ts hands these channels here.
import { ENGINE_CHANNELS, type EngineChannels } from '../api/engine';
import { StrataError } from '../core/errors';
import type { StrataService } from '../core/service';
import { parseImageRef } from '../core/source/image-ref';

export type EngineChannel = keyof EngineChannels;
type EngineRequest<C extends EngineChannel> = EngineChannels[C]['request'];
type EngineResponse<C extends EngineChannel> = EngineChannels[C]['response'];

/** The part of StrataService the engine channels use. */
export type EngineDispatchService = Pick<
  StrataService,
  | 'listEngines'
  | 'selectEngine'
  | 'engineImages'
  | 'openEngineImage'
  | 'cancelEngineOpen'
  | 'engineCacheInfo'
  | 'clearEngineCache'
>;

const OPEN_ID = /^[A-Za-z0-9_-]{1,64}$/;
const PLATFORM = /^[a-z0-9_-]{1,32}\/[a-z0-9_-]{1,32}(?:\/[a-z0-9_.-]{1,32})?$/;
const MAX_ENGINE_ID = 4200;
const MAX_REF = 512;

export function isEngineChannel(channel: string): channel is EngineChannel {
  return (ENGINE_CHANNELS as readonly string[]).includes(channel);
}

function refuse(channel: string, problem: string): never {
  throw new StrataError('bad-request', `${channel}: ${problem}.`);
}

function onlyKeys(body: Record<string, unknown>, channel: string, allowed: string[]): void {
  const extra = Object.keys(body).find((key) => !allowed.includes(key));
  if (extra !== undefined)
    refuse(channel, `unexpected field ${JSON.stringify(extra)} in the request`);
}

function field(
  body: Record<string, unknown>,
  channel: string,
  name: string,
  max: number,
  pattern?: RegExp,
): string {
  const value = body[name];
  if (typeof value !== 'string' || value.length === 0 || value.length > max) {
    refuse(channel, `"${name}" must be a string of 1 to ${max} characters`);
  }
  for (const char of value) {
    const code = char.charCodeAt(0);
    if (code < 0x20 || code === 0x7f) refuse(channel, `"${name}" contains a control character`);
  }
  if (pattern && !pattern.test(value)) refuse(channel, `"${name}" is not in the expected form`);
  return value;
}

/** Checks a request of an engine channel; throws a bad-request StrataError naming the problem. */
export function parseEngineRequest<C extends EngineChannel>(
  channel: C,
  body: Record<string, unknown>,
): EngineRequest<C> {
  switch (channel) {
    case 'engine:list':
    case 'engine:images':
    case 'engine:cacheInfo':
    case 'engine:clearCache':
      onlyKeys(body, channel, []);
      return {} as EngineRequest<C>;
    case 'engine:select':
      onlyKeys(body, channel, ['id']);
      return { id: field(body, channel, 'id', MAX_ENGINE_ID) } as EngineRequest<C>;
    case 'engine:open': {
      onlyKeys(body, channel, ['ref', 'openId', 'platform']);
      const ref = field(body, channel, 'ref', MAX_REF);
      parseImageRef(ref); // `a?b`, `a#b`, `../x` never reach an engine URL
      const request: EngineRequest<'engine:open'> = {
        ref,
        openId: field(body, channel, 'openId', 64, OPEN_ID),
      };
      if (body.platform !== undefined) {
        request.platform = field(body, channel, 'platform', 100, PLATFORM);
      }
      return request as EngineRequest<C>;
    }
    case 'engine:cancelOpen':
      onlyKeys(body, channel, ['openId']);
      return { openId: field(body, channel, 'openId', 64, OPEN_ID) } as EngineRequest<C>;
    default:
      return refuse(channel, 'not an engine channel');
  }
}

export async function callEngine<C extends EngineChannel>(
  service: EngineDispatchService,
  channel: C,
  request: EngineRequest<C>,
): Promise<EngineResponse<C>> {
  switch (channel) {
    case 'engine:list':
      return (await service.listEngines()) as EngineResponse<C>;
    case 'engine:select':
      return (await service.selectEngine(
        (request as EngineRequest<'engine:select'>).id,
      )) as EngineResponse<C>;
    case 'engine:images':
      return (await service.engineImages()) as EngineResponse<C>;
    case 'engine:open': {
      const { ref, openId, platform } = request as EngineRequest<'engine:open'>;
      return (await service.openEngineImage(ref, openId, platform)) as EngineResponse<C>;
    }
    case 'engine:cancelOpen':
      service.cancelEngineOpen((request as EngineRequest<'engine:cancelOpen'>).openId);
      return null as EngineResponse<C>;
    case 'engine:cacheInfo':
      return (await service.engineCacheInfo()) as EngineResponse<C>;
    case 'engine:clearCache':
      return (await service.clearEngineCache()) as EngineResponse<C>;
    default:
      return refuse(channel, 'not an engine channel');
  }
}
