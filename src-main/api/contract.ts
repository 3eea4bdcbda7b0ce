// The contract between the renderer and whichever front door serves it (Electron IPC or the
// browser mode's HTTP). One entry per channel; main validates every request before use.
import type { OpenedImage } from './model';

export interface Channels {
  /** Open an archive at a path on the machine running the service. */
  'image:open': { request: { path: string }; response: OpenedImage };
  /** Open the embedded demo image. */
  'image:openDemo': { request: Record<string, never>; response: OpenedImage };
  /** Images already open (for example the SOURCEs given on the command line). */
  'image:list': { request: Record<string, never>; response: OpenedImage[] };
  'image:close': { request: { handle: string }; response: null };
  /** Electron only: show the native Open dialog; null when cancelled. */
  'dialog:openArchive': { request: Record<string, never>; response: string | null };
}

export type Channel = keyof Channels;
export const CHANNELS = [
  'image:open',
  'image:openDemo',
  'image:list',
  'image:close',
  'dialog:openArchive',
] as const satisfies readonly Channel[];

export type Request<C extends Channel> = Channels[C]['request'];
export type Response<C extends Channel> = Channels[C]['response'];

export interface ErrorInfo {
  /** Stable machine-readable code: `bad-request`, `not-found`, `bad-archive`, `internal`, ... */
  code: string;
  /** One clear line for a person: what, where, what to do. */
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

/** Events pushed from the service to the renderer. */
export interface ProgressEvent {
  type: 'progress';
  /** What is being read: a path or image reference. */
  source: string;
  phase: 'reading' | 'indexing' | 'done';
  done: number;
  total: number | null;
}
/** An image opened without the page asking (Electron's File > Open…, a second launch with a path). */
export interface ImageOpenedEvent {
  type: 'opened';
  image: OpenedImage;
}
export type StrataEvent = ProgressEvent | ImageOpenedEvent;
