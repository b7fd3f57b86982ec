/**
 * A publish that the broker did not confirm: not connected, blocked, nacked, invalid, timed out, or its connection
 * dropped before the confirm.
 */
export class EventPublishError extends Error {
  override readonly name = 'EventPublishError';
}

/** The bus was used after close(). */
export class EventBusClosedError extends Error {
  override readonly name = 'EventBusClosedError';
  constructor() {
    super('event bus is closed');
  }
}

export const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));
