import { eventSchemas, isEventType, type EventBus } from '@social/common/events';
import type { Logger } from '@social/common/logger';
import { Counter, Gauge, type Registry } from '@social/common/metrics';
import {
  countPendingEvents,
  findPostsWithPendingEvents,
  parkInvalidEvent,
  removeConfirmedEvent,
  type OutboxEntry,
  type PendingEvent,
  type PostModel,
} from '../models/post.model';

export interface Outbox {
  /** Publish now (after a write); cheap, never throws, coalesces with a pass already running. */
  kick(): void;
}

export interface OutboxRelay extends Outbox {
  start(): void;
  /** Stops the interval and kicks and waits for the running pass; runOnce() still works afterwards. */
  stop(): Promise<void>;
  /** Runs one pass now, or waits for the running one and then runs another; resolves when it is done. */
  runOnce(): Promise<void>;
  /** Events stored but not yet confirmed by the broker. */
  backlog(): Promise<number>;
}

/** Why the broker contract rejects this event, or undefined when it is publishable. */
function contractViolation(event: PendingEvent): string | undefined {
  if (!isEventType(event.type)) return `unknown event type "${event.type}"`;
  const { id, type, occurredAt, data } = event;
  const { error } = eventSchemas[event.type].validate({ id, type, occurredAt, data }, { convert: false });
  return error?.message;
}

export interface OutboxRelayOptions {
  posts: PostModel;
  bus: Pick<EventBus, 'publish'>;
  log: Logger;
  registry: Registry;
  intervalMs: number;
  /** Posts handled per pass, so one pass stays bounded; a full batch schedules the next pass at once. */
  batchSize: number;
}

/**
 * Publishes the events stored on posts (transactional outbox). An event leaves the document only after the
 * broker confirmed it, so a crash or a broker outage delays events but never loses them (at-least-once).
 */
export function createOutboxRelay(opts: OutboxRelayOptions): OutboxRelay {
  const { posts, bus, log } = opts;
  const failures = new Counter({
    name: 'outbox_relay_failures_total',
    help: 'Outbox relay failures (publish: broker, store: MongoDB; both retried; invalid: parked in failedEvents)',
    labelNames: ['stage'] as const,
    registers: [opts.registry],
  });
  const relayed = new Counter({
    name: 'outbox_events_relayed_total',
    help: 'Outbox events confirmed by the broker and removed from the outbox',
    labelNames: ['type'] as const,
    registers: [opts.registry],
  });
  let lastBacklog = 0;
  const backlog = async (): Promise<number> => {
    lastBacklog = await countPendingEvents(posts);
    return lastBacklog;
  };
  new Gauge({
    name: 'outbox_backlog',
    help: 'Events stored in the outbox and not yet confirmed by the broker',
    registers: [opts.registry],
    async collect() {
      // MongoDB being away must not break /metrics: report the last known value.
      this.set(await backlog().catch(() => lastBacklog));
    },
  });

  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  let brokerDown = false;
  let storeDown = false;

  /** Publishes one post's events in order; false when the broker failed (the rest stay pending, in order). */
  async function relayPost(entry: OutboxEntry): Promise<boolean> {
    for (const event of entry.pendingEvents) {
      // Retrying cannot fix an event that breaks the contract, and it would block every event behind it.
      const violation = contractViolation(event);
      if (violation) {
        await parkInvalidEvent(posts, entry._id, event, violation);
        failures.inc({ stage: 'invalid' });
        log.error('outbox event breaks the contract, parked in failedEvents', {
          eventId: event.id,
          postId: entry._id.toHexString(),
          reason: violation,
        });
        continue;
      }
      try {
        await bus.publish(event);
      } catch (err) {
        failures.inc({ stage: 'publish' });
        if (!brokerDown) log.warn('outbox publish failed, events stay pending', { eventId: event.id, err });
        brokerDown = true;
        return false;
      }
      await removeConfirmedEvent(posts, entry._id, event);
      relayed.inc({ type: event.type });
    }
    return true;
  }

  /** One bounded pass: 'more' when a full batch went out (more may be waiting), 'blocked' when the broker failed. */
  async function pass(): Promise<'done' | 'more' | 'blocked'> {
    const entries = await findPostsWithPendingEvents(posts, opts.batchSize);
    // Posts go out side by side, so their broker confirms overlap instead of queueing one round trip after
    // another; each post's own events stay in order.
    const results = await Promise.allSettled(entries.map(relayPost));
    const storeFailure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (storeFailure) throw storeFailure.reason;
    // The broker is the problem: the interval retries, in order.
    if (results.some((r) => r.status === 'fulfilled' && !r.value)) return 'blocked';
    if (brokerDown) log.info('outbox publishing again');
    brokerDown = false;
    return entries.length === opts.batchSize ? 'more' : 'done';
  }

  async function loop(): Promise<void> {
    do {
      again = false;
      try {
        const result = await pass();
        storeDown = false;
        // While the broker is away, writes keep kicking; only the interval retries, so no busy loop.
        if (result === 'blocked') break;
        if (result === 'more') again = true;
      } catch (err) {
        failures.inc({ stage: 'store' });
        // Once per outage: MongoDB being away would otherwise log on every interval.
        if (!storeDown) log.warn('outbox relay pass failed, retrying on the next pass', { err });
        storeDown = true;
      }
    } while (again && !stopping); // shutdown ends after the current pass
  }

  function runOnce(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = loop().finally(() => {
      running = undefined;
    });
    return running;
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      void runOnce().finally(schedule);
    }, opts.intervalMs);
  }

  return {
    kick: () => {
      if (!stopped) void runOnce();
    },
    runOnce,
    backlog,
    start: () => {
      stopped = false;
      if (!timer) schedule();
    },
    stop: async () => {
      stopped = true;
      stopping = true;
      clearTimeout(timer);
      timer = undefined;
      await running;
      stopping = false;
    },
  };
}
