// The main window's options, kept free of any electron import so a plain vitest can check every
// security setting (electronjs.org/docs/latest/tutorial/security). main.ts passes the result to
// `new BrowserWindow(...)`, which checks its type.

/** The renderer's web preferences: isolated, sandboxed, no Node, web security on. */
export function secureWebPreferences(preloadPath: string) {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
  } as const;
}

export function mainWindowOptions(preloadPath: string) {
  return {
    width: 1280,
    height: 820,
    minWidth: 720,
    minHeight: 480,
    title: 'Strata',
    // Shown once the first paint is ready, so the window never flashes empty.
    show: false,
    backgroundColor: '#16181d',
    webPreferences: secureWebPreferences(preloadPath),
  } as const;
}
