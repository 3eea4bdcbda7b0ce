// The sandboxed preload (CommonJS, may only require 'electron'): exposes `window.strata`, one
// function per IPC channel, the path of a File, and the event feed. ipcRenderer itself never
// reaches the page.
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import type { IpcRendererEvent } from 'electron';
import { CHANNELS } from '../api/contract';
import type { StrataEvent } from '../api/contract';
import { EVENT_CHANNEL } from '../api/bridge';
import type { BridgeCalls, StrataBridge } from '../api/bridge';

const calls = Object.fromEntries(
  CHANNELS.map((channel) => [channel, (request: unknown) => ipcRenderer.invoke(channel, request)]),
) as unknown as BridgeCalls;

const bridge: StrataBridge = {
  ...calls,
  pathForFile: (file) => webUtils.getPathForFile(file),
  onEvent(listener) {
    const forward = (_event: IpcRendererEvent, payload: StrataEvent): void => listener(payload);
    ipcRenderer.on(EVENT_CHANNEL, forward);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, forward);
    };
  },
};

contextBridge.exposeInMainWorld('strata', bridge);
