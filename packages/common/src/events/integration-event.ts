import { randomUUID } from 'node:crypto';
import type { EventData, EventType, IntegrationEvent } from './event-types';

/** An event ready to publish or to store in an outbox: the body plus metadata that goes into AMQP properties. */
export interface OutgoingEvent<T extends string = string, D = unknown> extends IntegrationEvent<T, D> {
  correlationId?: string;
}

export function newIntegrationEvent<T extends EventType>(
  type: T,
  data: EventData<T>,
  meta: { correlationId?: string } = {},
): OutgoingEvent<T, EventData<T>> {
  const event: OutgoingEvent<T, EventData<T>> = {
    id: randomUUID(),
    type,
    occurredAt: new Date().toISOString(),
    data,
  };
  // Omit rather than store `undefined`: outbox documents and JSON stay free of empty keys.
  if (meta.correlationId !== undefined) event.correlationId = meta.correlationId;
  return event;
}

/** The wire body: exactly the envelope, so correlationId never leaks into the JSON. */
export const toMessageBody = (event: IntegrationEvent): Buffer =>
  Buffer.from(
    JSON.stringify({ id: event.id, type: event.type, occurredAt: event.occurredAt, data: event.data }),
  );
