// Wraps a StrataApi so that every archive the desktop app opens by path is remembered as
// recent. Electron opens files where they lie (chosen in the Open dialog, dropped, or picked in
// the file input: the bridge tells a File's path); the browser uploads, so it records nothing.
import type { StrataBridge } from '../../../src-main/api/bridge';
import type { OpenedImage } from '../../../src-main/api/model';
import type { StrataApi } from './strata-api';

export function rememberRecent(
  api: StrataApi,
  bridge: Pick<StrataBridge, 'pathForFile'> | undefined,
  remember: (path: string, image: OpenedImage) => void,
): StrataApi {
  if (api.transport !== 'electron' || !bridge) return api;
  return {
    ...api,
    async openPath(path) {
      const image = await api.openPath(path);
      remember(path, image);
      return image;
    },
    async openFile(file) {
      const image = await api.openFile(file);
      const path = bridge.pathForFile(file);
      if (path) remember(path, image);
      return image;
    },
  };
}
