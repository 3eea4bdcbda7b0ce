// The Electron shell: one window over the same StrataService the CLI and the browser mode use.
// Thin on purpose; everything security-relevant is set here or in a module named for it:
// window-options.ts (webPreferences), app-protocol.ts (app://strata/), ipc.ts (sender checks),
// permissions.ts, app-origin.ts (navigation), preload.ts (the bridge).
import { join } from 'node:path';
import { app, BrowserWindow, dialog, Menu, session } from 'electron';
import type { WebContents } from 'electron';
import type { MenuEvent, StrataEvent } from '../api/contract';
import { EVENT_CHANNEL } from '../api/bridge';
import { describeError } from '../core/errors';
import { defaultIndexDir, useIndexStore } from '../core/layer/index-store';
import { useLayerWorkers } from '../core/layer/layer-workers';
import { StrataService } from '../core/service';
import { APP_INDEX_URL } from './app-origin';
import { registerAppScheme, serveAppProtocol } from './app-protocol';
import { chooseArchivePath, registerIpcHandlers } from './ipc';
import { archiveArgs } from './launch-args';
import { buildAppMenu } from './menu';
import {
  denyWindowOpen,
  guardNavigation,
  permissionCheckHandler,
  permissionRequestHandler,
  refuseWebview,
} from './guards';
import { mainWindowOptions } from './window-options';

/** out/main/index.js -> out/preload/index.cjs and out/renderer/. */
const PRELOAD_PATH = join(import.meta.dirname, '../preload/index.cjs');
const RENDERER_DIR = join(import.meta.dirname, '../renderer');

useIndexStore(defaultIndexDir());
// Built beside this entry point (electron.vite.config.ts).
useLayerWorkers({
  script: new URL('./layer-worker.js', import.meta.url),
  onUnavailable: (reason) =>
    console.warn(`strata: ${reason}; layers are read on the main thread, more slowly`),
});

/** The renderer dev server (`electron-vite dev`); never honoured in a packaged app. */
const devServerUrl = app.isPackaged ? undefined : process.env['ELECTRON_RENDERER_URL'];

// The handlers are in guards.ts, tested there; guards.test.ts also checks they are wired here.
function harden(contents: WebContents): void {
  contents.on('will-navigate', (event) => guardNavigation(event, devServerUrl));
  contents.on('will-frame-navigate', (event) => guardNavigation(event, devServerUrl));
  contents.on('will-redirect', (event) => guardNavigation(event, devServerUrl));
  contents.on('will-attach-webview', refuseWebview);
  contents.setWindowOpenHandler(denyWindowOpen);
}

function lockDownSession(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler(permissionRequestHandler(devServerUrl));
  ses.setPermissionCheckHandler(permissionCheckHandler(devServerUrl));
}

function startApp(): void {
  const service = new StrataService();
  const opening = new Set<Promise<void>>();
  let mainWindow: BrowserWindow | null = null;

  const broadcast = (event: StrataEvent): void => {
    for (const window of BrowserWindow.getAllWindows()) {
      window.webContents.send(EVENT_CHANNEL, event);
    }
  };
  service.on('event', broadcast);

  function openArchive(path: string): Promise<void> {
    // The page shows it opening (image:openings); the service tells it how the open ended.
    const task = service.openUnasked(path).then(
      () => {},
      async (err: unknown) => {
        const { message } = describeError(err);
        const options = {
          type: 'error' as const,
          message: `Could not open ${path}`,
          detail: message,
        };
        await (mainWindow
          ? dialog.showMessageBox(mainWindow, options)
          : dialog.showMessageBox(options));
      },
    );
    const tracked = task.finally(() => opening.delete(tracked));
    opening.add(tracked);
    return tracked;
  }

  function openFromCommandLine(argv: readonly string[], cwd: string): void {
    const paths = archiveArgs(argv, { defaultApp: process.defaultApp ?? false, cwd });
    for (const path of paths) void openArchive(path);
  }

  function createWindow(): BrowserWindow {
    const window = new BrowserWindow(mainWindowOptions(PRELOAD_PATH));
    window.once('ready-to-show', () => window.show());
    window.on('closed', () => {
      if (mainWindow === window) mainWindow = null;
    });
    void window.loadURL(devServerUrl ?? APP_INDEX_URL);
    return window;
  }

  app.on('web-contents-created', (_event, contents) => harden(contents));

  app.on('second-instance', (_event, argv, workingDirectory) => {
    if (mainWindow) {
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.focus();
    }
    openFromCommandLine(argv, workingDirectory);
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  void app.whenReady().then(() => {
    lockDownSession();
    serveAppProtocol(RENDERER_DIR);
    registerIpcHandlers({
      service,
      devServerUrl,
      // `image:list` waits for the archives named on the command line, so the renderer's first
      // list shows them.
      settled: async () => void (await Promise.allSettled([...opening])),
    });
    // Menu items go to the window in front as events: the page opens (with its progress),
    // closes the tab it shows, or focuses its file filter.
    const tellWindow = (action: MenuEvent['action']): boolean => {
      const window = BrowserWindow.getFocusedWindow() ?? mainWindow;
      if (!window || window.isDestroyed()) return false;
      window.webContents.send(EVENT_CHANNEL, { type: 'menu', action } satisfies MenuEvent);
      return true;
    };
    const open = async (): Promise<void> => {
      if (tellWindow('open')) return;
      const path = await chooseArchivePath(mainWindow);
      if (path !== null) await openArchive(path);
    };
    Menu.setApplicationMenu(
      buildAppMenu(
        {
          open: () => void open(),
          closeTab: () => void tellWindow('close-tab'),
          find: () => void tellWindow('find'),
        },
        devServerUrl !== undefined,
      ),
    );
    openFromCommandLine(process.argv, process.cwd());
    mainWindow = createWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) mainWindow = createWindow();
    });
  });
}

// Before the app is ready: the privileged scheme, and a sandbox for every renderer.
registerAppScheme();
app.enableSandbox();

if (app.requestSingleInstanceLock()) {
  startApp();
} else {
  // Another Strata is running: it receives our argv through 'second-instance'.
  app.quit();
}
