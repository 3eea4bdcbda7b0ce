// What every ipcMain.handle runs (ipc.ts): the sender check first, then the shared dispatcher,
// which validates the request against its channel's schema. Free of electron imports, so it is
// tested with plain vitest against the real dispatcher and service (ipc-handler.test.ts).
import type { Channel, Result } from '../api/contract';
import type { Dispatch } from '../web/dispatch';
import { fail } from '../web/dispatch';
import { isTrustedSenderFrame, type SenderFrame } from './app-origin';

/** The part of Electron's IpcMainInvokeEvent the check reads. */
export interface InvokeEvent {
  senderFrame: SenderFrame | null | undefined;
}

/**
 * The handler for one channel: refuses a message from anything but the main frame of the app's
 * own page (`forbidden`, before the request is even read), else hands it to the dispatcher
 * `dispatchFor` makes for the event (its front door knows the window that asked).
 */
export function guardedHandler<E extends InvokeEvent>(
  channel: Channel,
  devServerUrl: string | undefined,
  dispatchFor: (event: E) => Dispatch,
): (event: E, request: unknown) => Promise<Result<unknown>> {
  return async (event, request) => {
    if (!isTrustedSenderFrame(event.senderFrame, devServerUrl)) {
      return fail('forbidden', `${channel}: refused a message from outside the app.`);
    }
    return dispatchFor(event)(channel, request);
  };
}
