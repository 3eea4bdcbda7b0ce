// What the Electron preload exposes to the renderer as `window.strata`: one function per IPC
// channel (never ipcRenderer itself), the path of a dropped or chosen File, and the event feed.
import type { Channel, Request, Response, Result, StrataEvent } from './contract';

/** One function per channel: `window.strata['image:open']({ path })`. */
export type BridgeCalls = {
  readonly [C in Channel]: (request: Request<C>) => Promise<Result<Response<C>>>;
};

export interface StrataBridge extends BridgeCalls {
  /** The file's path on disk (webUtils.getPathForFile); '' for a File made in the page. */
  pathForFile(file: File): string;
  /** Calls `listener` with every service event; returns the unsubscribe. */
  onEvent(listener: (event: StrataEvent) => void): () => void;
}

/** The IPC channel main uses to push StrataEvents to the renderer. */
export const EVENT_CHANNEL = 'strata:event';
