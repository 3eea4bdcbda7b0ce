/** Resolves on the event loop's next turn: long work in the service lets requests in between. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
