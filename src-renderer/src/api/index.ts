// Picks the transport: the preload bridge inside Electron, HTTP and WebSocket in a browser.
import type { StrataBridge } from '../../../src-main/api/bridge';
import { createElectronApi } from './electron-api';
import type { StrataApi } from './strata-api';
import { createWebApi } from './web-api';

declare global {
  interface Window {
    /** Set by the Electron preload (src-main/electron/preload.ts); absent in a browser. */
    readonly strata?: StrataBridge;
  }
}

let api: StrataApi | undefined;

/** The one StrataApi of this page (created on first use). */
export function getApi(): StrataApi {
  api ??= window.strata ? createElectronApi(window.strata) : createWebApi();
  return api;
}

export { ApiError } from './strata-api';
export type { StrataApi } from './strata-api';
