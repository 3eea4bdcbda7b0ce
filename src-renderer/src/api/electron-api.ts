// StrataApi for the desktop app: every call goes through the preload bridge (`window.strata`),
// one function per IPC channel; main checks the sender and validates the request.
import type { StrataBridge } from '../../../src-main/api/bridge';
import type { Channel, Request, Response, Result } from '../../../src-main/api/contract';
import { createCompareApi } from './compare-api';
import { createEngineApi } from './engine-api';
import { createExplorerApi } from './explorer-api';
import { ApiError, type StrataApi } from './strata-api';

function unwrap<T>(result: Result<T>): T {
  if (!result.ok) throw new ApiError(result.error);
  return result.value;
}

export function createElectronApi(bridge: StrataBridge): StrataApi {
  // One generic call: each bridge function takes its own channel's request.
  const call = async <C extends Channel>(channel: C, request: Request<C>): Promise<Response<C>> => {
    const send = bridge[channel] as (request: Request<C>) => Promise<Result<Response<C>>>;
    return unwrap(await send(request));
  };
  const openPath = async (path: string) => unwrap(await bridge['image:open']({ path }));
  return {
    transport: 'electron',
    hasNativeDialog: true,
    openPath,
    async openFile(file) {
      // Electron opens a dropped or chosen file where it lies; nothing is copied.
      const path = bridge.pathForFile(file);
      if (!path) {
        throw new ApiError({
          code: 'unsupported',
          message: `${file.name} has no path on disk, so the app cannot open it; save it to a file first.`,
        });
      }
      return openPath(path);
    },
    openDemo: async () => unwrap(await bridge['image:openDemo']({})),
    listOpen: async () => unwrap(await bridge['image:list']({})),
    listOpenings: async () => unwrap(await bridge['image:openings']({})),
    async close(handle) {
      unwrap(await bridge['image:close']({ handle }));
    },
    chooseArchivePath: async () => unwrap(await bridge['dialog:openArchive']({})),
    onEvent: (listener) => bridge.onEvent(listener),
    engine: createEngineApi(call),
    explorer: createExplorerApi(call, 'dialog'),
    compare: createCompareApi(call),
  };
}
