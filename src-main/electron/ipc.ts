// One ipcMain.handle per channel of the contract. Each handler first checks that the message
// comes from the app's own page (the main frame of app://strata/, or the dev server in
// development), then hands the request to the shared dispatcher, which validates it.
import { BrowserWindow, dialog, ipcMain } from 'electron';
import type { OpenDialogOptions } from 'electron';
import { CHANNELS } from '../api/contract';
import type { Result } from '../api/contract';
import { createDispatcher, fail } from '../web/dispatch';
import type { DispatchService, FrontDoor } from '../web/dispatch';
import { isTrustedSenderFrame } from './app-origin';

export interface IpcOptions {
  service: DispatchService;
  /** The renderer dev server's URL in development (ELECTRON_RENDERER_URL), else undefined. */
  devServerUrl: string | undefined;
  /** Resolves once the archives named on the command line are open (or failed). */
  settled: () => Promise<void>;
}

/** File types the Open dialog offers first. */
export const ARCHIVE_FILTERS = [
  { name: 'Image archives', extensions: ['tar', 'gz', 'tgz', 'zst', 'oci'] },
  { name: 'All files', extensions: ['*'] },
];

/** Shows the native Open dialog for `window` (or app-modal); null when cancelled. */
export async function chooseArchivePath(window: BrowserWindow | null): Promise<string | null> {
  const options: OpenDialogOptions = {
    title: 'Open an image archive',
    properties: ['openFile'],
    filters: ARCHIVE_FILTERS,
  };
  const choice = window
    ? await dialog.showOpenDialog(window, options)
    : await dialog.showOpenDialog(options);
  return choice.canceled ? null : (choice.filePaths[0] ?? null);
}

export function registerIpcHandlers(options: IpcOptions): void {
  for (const channel of CHANNELS) {
    ipcMain.handle(channel, async (event, request: unknown): Promise<Result<unknown>> => {
      if (!isTrustedSenderFrame(event.senderFrame, options.devServerUrl)) {
        return fail('forbidden', `${channel}: refused a message from outside the app.`);
      }
      const door: FrontDoor = {
        settled: options.settled,
        chooseArchivePath: () => chooseArchivePath(BrowserWindow.fromWebContents(event.sender)),
      };
      return createDispatcher(options.service, door)(channel, request);
    });
  }
}
