// One ipcMain.handle per channel of the contract. Each handler first checks that the message
// comes from the app's own page (the main frame of app://strata/, or the dev server in
// development), then hands the request to the shared dispatcher, which validates it.
import { basename, join } from 'node:path';
import { app, BrowserWindow, dialog, ipcMain } from 'electron';
import type { IpcMainInvokeEvent, OpenDialogOptions, SaveDialogOptions } from 'electron';
import { CHANNELS } from '../api/contract';
import type { Request, Result } from '../api/contract';
import type { StrataService } from '../core/service';
import { createDispatcher } from '../web/dispatch';
import type { DispatchService, FrontDoor } from '../web/dispatch';
import { guardedHandler } from './ipc-handler';
import { writeStreamTo } from './write-file';

export interface IpcOptions {
  service: DispatchService & Pick<StrataService, 'openFile'>;
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

/**
 * Save As for a file inside an image: the native Save dialog (in Downloads, under the file's
 * own name), then the file's bytes streamed there. The saved path, or null when cancelled.
 */
export async function saveFileAs(
  window: BrowserWindow | null,
  service: Pick<StrataService, 'openFile'>,
  { handle, layer, path }: Request<'file:save'>,
): Promise<string | null> {
  // Opened first: a path that is not a file fails before the dialog asks anything.
  const { stream } = await service.openFile(handle, layer, path);
  const options: SaveDialogOptions = {
    title: `Save ${path}`,
    defaultPath: join(app.getPath('downloads'), basename(path) || 'file'),
  };
  const choice = window
    ? await dialog.showSaveDialog(window, options)
    : await dialog.showSaveDialog(options);
  if (choice.canceled || !choice.filePath) {
    stream.destroy();
    return null;
  }
  await writeStreamTo(stream, choice.filePath);
  return choice.filePath;
}

export function registerIpcHandlers(options: IpcOptions): void {
  for (const channel of CHANNELS) {
    const handler = guardedHandler(channel, options.devServerUrl, (event: IpcMainInvokeEvent) => {
      const door: FrontDoor = {
        settled: options.settled,
        chooseArchivePath: () => chooseArchivePath(BrowserWindow.fromWebContents(event.sender)),
        saveFile: (request) =>
          saveFileAs(BrowserWindow.fromWebContents(event.sender), options.service, request),
      };
      return createDispatcher(options.service, door);
    });
    ipcMain.handle(channel, (event, request: unknown): Promise<Result<unknown>> =>
      handler(event, request),
    );
  }
}
