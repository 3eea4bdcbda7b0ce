// The one dispatcher behind both front doors of the renderer: Electron IPC (electron/ipc.ts) and
// the browser mode's HTTP API (web/server.ts). It checks a request's shape for its channel, calls
// the service and answers a Result; errors go through describeError, never with a stack trace.
// It imports nothing from electron: Electron-only work arrives as a FrontDoor hook.
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Channel, ErrorInfo, Request, Response, Result, RowsWanted } from '../api/contract';
import { CHANNELS } from '../api/contract';
import type { StrataService } from '../core/service';
import { describeError } from '../core/errors';
import { callEngine, isEngineChannel, parseEngineRequest } from './engine-requests';
import type { EngineDispatchService } from './engine-requests';
import { MAX_READ_BYTES } from '../core/service';
import type { TreeFilter } from '../api/explorer';

/** The part of StrataService the dispatcher uses (tests pass a fake). */
export type DispatchService = EngineDispatchService &
  Pick<
    StrataService,
    | 'open'
    | 'openDemo'
    | 'list'
    | 'openings'
    | 'close'
    | 'prepareView'
    | 'openView'
    | 'viewRows'
    | 'expand'
    | 'expandAll'
    | 'reveal'
    | 'closeView'
    | 'entry'
    | 'read'
    | 'waste'
    | 'sizeMap'
    | 'findings'
    | 'compare'
    | 'openCompareView'
    | 'compareFile'
    | 'closeCompare'
  >;

/** What the calling front door adds; missing hooks answer `unsupported`. */
export interface FrontDoor {
  /** Shows the native Open dialog (Electron); resolves to null when cancelled. */
  chooseArchivePath?: () => Promise<string | null>;
  /** Resolves when images the front door is still opening at start are open (or failed). */
  settled?: () => Promise<void>;
  /** Called after `image:close` closed a handle, to release what the front door holds for it. */
  closed?: (handle: string) => Promise<void> | void;
  /** Asks where to save a file of the image and writes it there (Electron); null when cancelled. */
  saveFile?: (request: Request<'file:save'>) => Promise<string | null>;
}

export type Dispatch = <C extends Channel>(
  channel: C,
  request: unknown,
) => Promise<Result<Response<C>>>;

/** Paths longer than this are refused before they reach the file system. */
const MAX_PATH_LENGTH = 4096;
const MAX_HANDLE_LENGTH = 200;
/** Rows one view:rows answers at most. */
const MAX_PAGE_ROWS = 5000;

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

function integer(
  body: Record<string, unknown>,
  channel: string,
  field: string,
  max: number,
): number {
  const value = body[field];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new BadRequest(`${channel}: "${field}" must be a whole number from 0 to ${max}.`);
  }
  return value;
}

function flag(body: Record<string, unknown>, channel: string, field: string): boolean {
  const value = body[field];
  if (typeof value !== 'boolean')
    throw new BadRequest(`${channel}: "${field}" must be true or false.`);
  return value;
}

function oneOf<T extends string>(
  body: Record<string, unknown>,
  channel: string,
  field: string,
  allowed: readonly T[],
): T {
  const value = body[field];
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new BadRequest(`${channel}: "${field}" must be one of ${allowed.join(', ')}.`);
  }
  return value as T;
}

const CHANGES = ['added', 'modified', 'removed', 'unchanged'] as const;
const MAX_LAYER = 100_000;
const MAX_FILTER_TEXT = 1000;

function treeFilter(raw: unknown, channel: string): TreeFilter | undefined {
  if (raw === undefined) return undefined;
  const body = plainObject(raw, `${channel} filter`);
  onlyKeys(body, channel, ['text', 'kind', 'changes', 'minSize']);
  const filter: TreeFilter = {};
  if (body.text !== undefined && body.text !== '')
    filter.text = text(body, channel, 'text', MAX_FILTER_TEXT);
  if (body.kind !== undefined)
    filter.kind = oneOf(body, channel, 'kind', ['substring', 'glob', 'regex'] as const);
  if (body.changes !== undefined) {
    if (
      !Array.isArray(body.changes) ||
      body.changes.some((c) => !(CHANGES as readonly unknown[]).includes(c))
    ) {
      throw new BadRequest(`${channel}: "changes" must be a list of ${CHANGES.join(', ')}.`);
    }
    filter.changes = body.changes as TreeFilter['changes'];
  }
  if (body.minSize !== undefined)
    filter.minSize = integer(body, channel, 'minSize', Number.MAX_SAFE_INTEGER);
  return filter;
}

/** The page of rows a call asks to have in its answer, if any. */
function rowsWanted(raw: unknown, channel: string): RowsWanted | undefined {
  if (raw === undefined) return undefined;
  const body = plainObject(raw, `${channel} rows`);
  onlyKeys(body, channel, ['offset', 'limit']);
  return {
    offset: integer(body, channel, 'offset', Number.MAX_SAFE_INTEGER),
    limit: integer(body, channel, 'limit', MAX_PAGE_ROWS),
  };
}

/** Checks `raw` against the channel's request type; throws BadRequest with a clear message. */
export function parseRequest<C extends Channel>(channel: C, raw: unknown): Request<C> {
  const body = plainObject(raw, channel);
  if (isEngineChannel(channel)) return parseEngineRequest(channel, body) as Request<C>;
  switch (channel) {
    case 'image:open':
      onlyKeys(body, channel, ['path']);
      return { path: text(body, channel, 'path', MAX_PATH_LENGTH) } as Request<C>;
    case 'image:close':
      onlyKeys(body, channel, ['handle']);
      return { handle: text(body, channel, 'handle', MAX_HANDLE_LENGTH) } as Request<C>;
    case 'image:openDemo':
    case 'image:list':
    case 'image:openings':
    case 'dialog:openArchive':
      onlyKeys(body, channel, []);
      return {} as Request<C>;
    case 'view:open': {
      onlyKeys(body, channel, ['handle', 'layer', 'mode', 'sort', 'filter', 'keep', 'rows']);
      const filter = treeFilter(body.filter, channel);
      const rows = rowsWanted(body.rows, channel);
      return {
        handle: text(body, channel, 'handle', MAX_HANDLE_LENGTH),
        layer: integer(body, channel, 'layer', MAX_LAYER),
        mode: oneOf(body, channel, 'mode', ['aggregate', 'changes'] as const),
        sort: oneOf(body, channel, 'sort', ['size', 'name'] as const),
        ...(filter ? { filter } : {}),
        ...(body.keep !== undefined
          ? { keep: text(body, channel, 'keep', MAX_PATH_LENGTH * 16) }
          : {}),
        ...(rows ? { rows } : {}),
      } as Request<C>;
    }
    case 'view:rows':
      onlyKeys(body, channel, ['viewId', 'offset', 'limit']);
      return {
        viewId: text(body, channel, 'viewId', MAX_HANDLE_LENGTH),
        offset: integer(body, channel, 'offset', Number.MAX_SAFE_INTEGER),
        limit: integer(body, channel, 'limit', MAX_PAGE_ROWS),
      } as Request<C>;
    case 'view:expand': {
      onlyKeys(body, channel, ['viewId', 'path', 'expanded', 'rows']);
      const rows = rowsWanted(body.rows, channel);
      return {
        viewId: text(body, channel, 'viewId', MAX_HANDLE_LENGTH),
        path: text(body, channel, 'path', MAX_PATH_LENGTH * 16),
        expanded: flag(body, channel, 'expanded'),
        ...(rows ? { rows } : {}),
      } as Request<C>;
    }
    case 'view:expandAll':
      onlyKeys(body, channel, ['viewId', 'expanded']);
      return {
        viewId: text(body, channel, 'viewId', MAX_HANDLE_LENGTH),
        expanded: flag(body, channel, 'expanded'),
      } as Request<C>;
    case 'view:reveal':
      onlyKeys(body, channel, ['viewId', 'path']);
      return {
        viewId: text(body, channel, 'viewId', MAX_HANDLE_LENGTH),
        path: text(body, channel, 'path', MAX_PATH_LENGTH * 16),
      } as Request<C>;
    case 'view:close':
      onlyKeys(body, channel, ['viewId']);
      return { viewId: text(body, channel, 'viewId', MAX_HANDLE_LENGTH) } as Request<C>;
    case 'image:entry':
    case 'file:save':
    case 'image:read': {
      const reading = channel === 'image:read';
      onlyKeys(
        body,
        channel,
        reading ? ['handle', 'layer', 'path', 'offset', 'length'] : ['handle', 'layer', 'path'],
      );
      const common = {
        handle: text(body, channel, 'handle', MAX_HANDLE_LENGTH),
        layer: integer(body, channel, 'layer', MAX_LAYER),
        path: text(body, channel, 'path', MAX_PATH_LENGTH * 16),
      };
      if (!reading) return common as Request<C>;
      return {
        ...common,
        offset: integer(body, channel, 'offset', Number.MAX_SAFE_INTEGER),
        length: integer(body, channel, 'length', MAX_READ_BYTES),
      } as Request<C>;
    }
    case 'image:waste':
    case 'image:findings':
      onlyKeys(body, channel, ['handle']);
      return { handle: text(body, channel, 'handle', MAX_HANDLE_LENGTH) } as Request<C>;
    case 'image:sizeMap':
      onlyKeys(body, channel, ['handle', 'layer', 'path', 'depth']);
      return {
        handle: text(body, channel, 'handle', MAX_HANDLE_LENGTH),
        layer: integer(body, channel, 'layer', MAX_LAYER),
        path: text(body, channel, 'path', MAX_PATH_LENGTH * 16),
        depth: integer(body, channel, 'depth', 8),
      } as Request<C>;
    case 'compare:open':
      onlyKeys(body, channel, ['a', 'b']);
      return {
        a: text(body, channel, 'a', MAX_HANDLE_LENGTH),
        b: text(body, channel, 'b', MAX_HANDLE_LENGTH),
      } as Request<C>;
    case 'compare:view': {
      onlyKeys(body, channel, ['compareId', 'show', 'sort', 'filter']);
      const filter = treeFilter(body.filter, channel);
      return {
        compareId: text(body, channel, 'compareId', MAX_HANDLE_LENGTH),
        show: oneOf(body, channel, 'show', ['changes', 'all'] as const),
        sort: oneOf(body, channel, 'sort', ['size', 'name'] as const),
        ...(filter ? { filter } : {}),
      } as Request<C>;
    }
    case 'compare:file':
      onlyKeys(body, channel, ['compareId', 'path']);
      return {
        compareId: text(body, channel, 'compareId', MAX_HANDLE_LENGTH),
        path: text(body, channel, 'path', MAX_PATH_LENGTH * 16),
      } as Request<C>;
    case 'compare:close':
      onlyKeys(body, channel, ['compareId']);
      return { compareId: text(body, channel, 'compareId', MAX_HANDLE_LENGTH) } as Request<C>;
    default:
      throw new BadRequest(`Unknown channel ${JSON.stringify(channel)}.`);
  }
}

/** A path a person typed: `~` and `~/…` are the home folder, as a shell reads them. */
function typedPath(path: string): string {
  if (path === '~') return homedir();
  return path.startsWith('~/') ? join(homedir(), path.slice(2)) : path;
}

async function call<C extends Channel>(
  service: DispatchService,
  door: FrontDoor,
  channel: C,
  request: Request<C>,
): Promise<Response<C>> {
  if (isEngineChannel(channel)) {
    return (await callEngine(service, channel, request as never)) as Response<C>;
  }
  // Each case narrows by hand: TypeScript cannot relate `channel` and `request` through C.
  switch (channel) {
    case 'image:open':
      return (await service.open(
        typedPath((request as Request<'image:open'>).path),
      )) as Response<C>;
    case 'image:openDemo':
      return (await service.openDemo()) as Response<C>;
    case 'image:list':
      await door.settled?.();
      return service.list() as Response<C>;
    case 'image:openings':
      return service.openings() as Response<C>;
    case 'image:close': {
      const { handle } = request as Request<'image:close'>;
      await service.close(handle);
      await door.closed?.(handle);
      return null as Response<C>;
    }
    case 'dialog:openArchive':
      if (!door.chooseArchivePath) throw new Unsupported();
      return (await door.chooseArchivePath()) as Response<C>;
    case 'view:open': {
      const { handle, keep, rows, ...spec } = request as Request<'view:open'>;
      await service.prepareView(handle, spec);
      return service.openView(handle, spec, keep, rows) as Response<C>;
    }
    case 'view:rows': {
      const r = request as Request<'view:rows'>;
      return service.viewRows(r.viewId, r.offset, r.limit) as Response<C>;
    }
    case 'view:expand': {
      const r = request as Request<'view:expand'>;
      return service.expand(r.viewId, r.path, r.expanded, r.rows) as Response<C>;
    }
    case 'view:expandAll': {
      const r = request as Request<'view:expandAll'>;
      return service.expandAll(r.viewId, r.expanded) as Response<C>;
    }
    case 'view:reveal': {
      const r = request as Request<'view:reveal'>;
      return service.reveal(r.viewId, r.path) as Response<C>;
    }
    case 'view:close':
      service.closeView((request as Request<'view:close'>).viewId);
      return null as Response<C>;
    case 'image:entry': {
      const r = request as Request<'image:entry'>;
      return service.entry(r.handle, r.layer, r.path) as Response<C>;
    }
    case 'image:read': {
      const r = request as Request<'image:read'>;
      const { bytes, offset, total } = await service.read(
        r.handle,
        r.layer,
        r.path,
        r.offset,
        r.length,
      );
      return { base64: bytes.toString('base64'), offset, total } as Response<C>;
    }
    case 'image:waste':
      return (await service.waste((request as Request<'image:waste'>).handle)) as Response<C>;
    case 'image:findings':
      return (await service.findings((request as Request<'image:findings'>).handle)) as Response<C>;
    case 'image:sizeMap': {
      const r = request as Request<'image:sizeMap'>;
      return service.sizeMap(r.handle, r.layer, r.path, r.depth) as Response<C>;
    }
    case 'file:save':
      if (!door.saveFile) throw new Unsupported();
      return (await door.saveFile(request as Request<'file:save'>)) as Response<C>;
    case 'compare:open': {
      const r = request as Request<'compare:open'>;
      return (await service.compare(r.a, r.b)) as Response<C>;
    }
    case 'compare:view': {
      const { compareId, show, sort, filter } = request as Request<'compare:view'>;
      return service.openCompareView(compareId, show, sort, filter) as Response<C>;
    }
    case 'compare:file': {
      const r = request as Request<'compare:file'>;
      return (await service.compareFile(r.compareId, r.path)) as Response<C>;
    }
    case 'compare:close':
      service.closeCompare((request as Request<'compare:close'>).compareId);
      return null as Response<C>;
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
