// The one dispatcher behind both front doors of the renderer: Electron IPC (electron/ipc.ts) and
// the browser mode's HTTP API (web/server.ts). It checks a request's shape for its channel, calls
// the service and answers a Result; errors go through describeError, never with a stack trace.
// It imports nothing from electron: Electron-only work arrives as a FrontDoor hook.
import type { Channel, ErrorInfo, Request, Response, Result } from '../api/contract';
import { CHANNELS } from '../api/contract';
import type { StrataService } from '../core/service';
import { describeError } from '../core/errors';

/** The part of StrataService the dispatcher uses (tests pass a fake). */
export type DispatchService = Pick<StrataService, 'open' | 'openDemo' | 'list' | 'close'>;

/** What the calling front door adds; missing hooks answer `unsupported`. */
export interface FrontDoor {
  /** Shows the native Open dialog (Electron); resolves to null when cancelled. */
  chooseArchivePath?: () => Promise<string | null>;
  /** Resolves when images the front door is still opening at start are open (or failed). */
  settled?: () => Promise<void>;
  /** Called after `image:close` closed a handle, to release what the front door holds for it. */
  closed?: (handle: string) => Promise<void> | void;
}

export type Dispatch = <C extends Channel>(
  channel: C,
  request: unknown,
) => Promise<Result<Response<C>>>;

/** Paths longer than this are refused before they reach the file system. */
const MAX_PATH_LENGTH = 4096;
const MAX_HANDLE_LENGTH = 200;

export function isChannel(name: string): name is Channel {
  return (CHANNELS as readonly string[]).includes(name);
}

export function fail(code: string, message: string): { ok: false; error: ErrorInfo } {
  return { ok: false, error: { code, message } };
}

class BadRequest extends Error {}

function plainObject(value: unknown, channel: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BadRequest(`${channel}: the request must be a JSON object.`);
  }
  return value as Record<string, unknown>;
}

function onlyKeys(body: Record<string, unknown>, channel: string, allowed: string[]): void {
  const extra = Object.keys(body).filter((key) => !allowed.includes(key));
  if (extra.length > 0) {
    throw new BadRequest(
      `${channel}: unexpected field ${JSON.stringify(extra[0])} in the request.`,
    );
  }
}

function text(
  body: Record<string, unknown>,
  channel: string,
  field: string,
  maxLength: number,
): string {
  const value = body[field];
  if (typeof value !== 'string' || value.length === 0) {
    throw new BadRequest(`${channel}: "${field}" must be a non-empty string.`);
  }
  if (value.length > maxLength) {
    throw new BadRequest(`${channel}: "${field}" is longer than ${maxLength} characters.`);
  }
  if (value.includes('\0')) {
    throw new BadRequest(`${channel}: "${field}" contains a NUL character.`);
  }
  return value;
}

/** Checks `raw` against the channel's request type; throws BadRequest with a clear message. */
export function parseRequest<C extends Channel>(channel: C, raw: unknown): Request<C> {
  const body = plainObject(raw, channel);
  switch (channel) {
    case 'image:open':
      onlyKeys(body, channel, ['path']);
      return { path: text(body, channel, 'path', MAX_PATH_LENGTH) } as Request<C>;
    case 'image:close':
      onlyKeys(body, channel, ['handle']);
      return { handle: text(body, channel, 'handle', MAX_HANDLE_LENGTH) } as Request<C>;
    case 'image:openDemo':
    case 'image:list':
    case 'dialog:openArchive':
      onlyKeys(body, channel, []);
      return {} as Request<C>;
    default:
      throw new BadRequest(`Unknown channel ${JSON.stringify(channel)}.`);
  }
}

async function call<C extends Channel>(
  service: DispatchService,
  door: FrontDoor,
  channel: C,
  request: Request<C>,
): Promise<Response<C>> {
  // Each case narrows by hand: TypeScript cannot relate `channel` and `request` through C.
  switch (channel) {
    case 'image:open':
      return (await service.open((request as Request<'image:open'>).path)) as Response<C>;
    case 'image:openDemo':
      return (await service.openDemo()) as Response<C>;
    case 'image:list':
      await door.settled?.();
      return service.list() as Response<C>;
    case 'image:close': {
      const { handle } = request as Request<'image:close'>;
      await service.close(handle);
      await door.closed?.(handle);
      return null as Response<C>;
    }
    case 'dialog:openArchive':
      if (!door.chooseArchivePath) throw new Unsupported();
      return (await door.chooseArchivePath()) as Response<C>;
    default:
      throw new BadRequest(`Unknown channel ${JSON.stringify(channel)}.`);
  }
}

class Unsupported extends Error {}

/**
 * Makes the dispatcher for one front door. Every failure becomes `{ok:false}`:
 * `bad-request` for an unknown channel or a malformed request, `unsupported` for a channel
 * this front door does not offer, and the service's own codes through describeError.
 */
export function createDispatcher(service: DispatchService, door: FrontDoor = {}): Dispatch {
  return async <C extends Channel>(channel: C, raw: unknown): Promise<Result<Response<C>>> => {
    try {
      if (typeof channel !== 'string' || !isChannel(channel)) {
        return fail('bad-request', `Unknown channel ${JSON.stringify(channel)}.`);
      }
      const request = parseRequest(channel, raw);
      return { ok: true, value: await call(service, door, channel, request) };
    } catch (err) {
      if (err instanceof BadRequest) return fail('bad-request', err.message);
      if (err instanceof Unsupported) {
        return fail('unsupported', `${channel} is only available in the desktop app.`);
      }
      return { ok: false, error: describeError(err) };
    }
  };
}
