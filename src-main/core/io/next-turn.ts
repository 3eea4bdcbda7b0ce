/** Resolves on the event loop's next turn: long work in the service lets requests in between. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** How long work on the service's thread runs before it lets the event loop turn. */
export const TURN_MS = 2;

/**
 * Long synchronous work written as a generator that yields where it may pause (see `turnDue`):
 * run at once, or in turns of the event loop.
 */
export type Steps<T> = Generator<void, T, void>;

export function runAtOnce<T>(steps: Steps<T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

export async function runInTurns<T>(steps: Steps<T>): Promise<T> {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await nextTurn();
  }
}

/** A clock for a Steps generator: true once TURN_MS passed since the last time it said so. */
export function turnClock(): () => boolean {
  let last = performance.now();
  return () => {
    const now = performance.now();
    if (now - last <= TURN_MS) return false;
    last = now;
    return true;
  };
}
