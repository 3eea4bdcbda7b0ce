// Follows one engine's image events for as long as someone looks at its image list: a pull,
// build, tag, untag, load or removal says "the list changed". When the engine stops, the watch
// says so and tries again, backing off, until it answers again or the watch is stopped.
import { describeError } from '../errors';
import type { EngineClient } from './engine-client';

export interface WatchHandlers {
  /** The image list may have changed (`action` is the engine's word for what happened). */
  onChange(action: string): void;
  /** The engine stopped answering (with why), or answers again. */
  onStatus(reachable: boolean, message: string | null): void;
}

/** Events that do not change the list: exports (Strata's own opens among them), pushes. */
const QUIET_ACTIONS = new Set(['save', 'push', 'inspect']);
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;

export class EngineWatch {
  private readonly stopper = new AbortController();
  private running: Promise<void> | null = null;

  constructor(
    readonly client: EngineClient,
    private readonly handlers: WatchHandlers,
  ) {}

  start(): void {
    this.running ??= this.loop();
  }

  /** Stops following; resolves once the event stream is closed. */
  async stop(): Promise<void> {
    this.stopper.abort();
    await this.running;
  }

  private async loop(): Promise<void> {
    const signal = this.stopper.signal;
    let retryMs = FIRST_RETRY_MS;
    let reachable: boolean | null = null;
    const say = (now: boolean, message: string | null): void => {
      if (reachable === now) return;
      reachable = now;
      this.handlers.onStatus(now, message);
    };
    while (!signal.aborted) {
      let problem: string;
      try {
        await this.client.followImageEvents(
          (event) => {
            if (!QUIET_ACTIONS.has(event.action)) this.handlers.onChange(event.action);
          },
          signal,
          () => {
            const wasDown = reachable === false;
            say(true, null);
            retryMs = FIRST_RETRY_MS;
            // Whatever happened while it was down is not in the new stream: look again.
            if (wasDown) this.handlers.onChange('reconnected');
          },
        );
        problem = `${this.client.endpoint.host} closed its event stream: the engine stopped`;
      } catch (err) {
        problem = describeError(err).message;
      }
      if (signal.aborted) break;
      say(false, problem);
      await sleep(retryMs, signal);
      retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
