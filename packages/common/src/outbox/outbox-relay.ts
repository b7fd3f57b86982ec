import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { eventSchemas, isEventType, type OutgoingEvent } from '../events';
import { runWithContext, type Logger } from '../logger';
import { EVENT_LAG_BUCKETS_SECONDS, counter, gauge, histogram, type Registry } from '../metrics';
import type { OutboxStore } from './outbox-store';

export interface Outbox<Id = unknown> {
  /**
   * Publish now (after a write); cheap, never throws. Given the written document's id, that document goes out at
   * once, beside a pass already running; without one, a pass runs (coalescing with one already running).
   */
  kick(documentId?: Id): void;
}

export interface OutboxRelay<Id = unknown> extends Outbox<Id> {
  /** This relay's name in leases (`outboxClaim.owner`) and logs. */
  readonly owner: string;
  start(): void;
  /** Stops the interval and waits for the running pass (which releases its leases); runOnce() still works. */
  stop(): Promise<void>;
  /** Runs one pass now, or waits for the running one and then runs another; resolves when it is done. */
  runOnce(): Promise<void>;
  /** Events stored but not yet confirmed by the broker. */
  backlog(): Promise<number>;
}

export interface OutboxRelayOptions<Id> {
  store: OutboxStore<Id>;
  /** Resolves once the broker confirmed the event (the event bus's publish); must be bounded by a timeout. */
  publish: (event: OutgoingEvent) => Promise<void>;
  log: Logger;
  registry: Registry;
  intervalMs: number;
  /** Documents handled per pass, so one pass stays bounded; a full batch schedules the next pass at once. */
  batchSize: number;
  /**
   * How long a document's lease lasts. A relay renews it once half is gone, before the next publish, so it
   * must exceed twice the publish timeout; it is also how long a crashed relay's documents wait.
   */
  claimTtlMs?: number;
  /** Default `<host>:<pid>:<random>`: a restarted process (pid 1 again in a container) is a new owner. */
  owner?: string;
}

export const DEFAULT_CLAIM_TTL_MS = 15_000;

/** Why the broker contract rejects this event, or undefined when it is publishable. */
function contractViolation(event: OutgoingEvent): string | undefined {
  if (!isEventType(event.type)) return `unknown event type "${event.type}"`;
  const { id, type, occurredAt, data } = event;
  const { error } = eventSchemas[event.type].validate({ id, type, occurredAt, data }, { convert: false });
  return error?.message;
}

const defaultOwner = (): string => `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;

/**
 * Publishes the events stored inside changed documents (transactional outbox). An event leaves its document
 * only after the broker confirmed it, so a crash or a broker outage delays events but never loses them.
 *
 * With N relays on one collection, each works only on documents it has claimed: a lease taken in one atomic
 * write, so each event is published once in the normal case. A relay that dies keeps its leases until they
 * expire; then another takes the documents over and publishes again whatever was not yet removed
 * (at-least-once, so consumers stay idempotent).
 */
export function createOutboxRelay<Id>(opts: OutboxRelayOptions<Id>): OutboxRelay<Id> {
  const { store, log } = opts;
  const ttlMs = opts.claimTtlMs ?? DEFAULT_CLAIM_TTL_MS;
  if (!Number.isInteger(ttlMs) || ttlMs < 1) throw new RangeError('claimTtlMs must be a positive integer');
  const owner = opts.owner ?? defaultOwner();

  const failures = counter(opts.registry, {
    name: 'outbox_relay_failures_total',
    help: 'Outbox relay failures (publish: broker, store: MongoDB; both retried; invalid: parked in failedEvents)',
    labelNames: ['stage'] as const,
  });
  const relayed = counter(opts.registry, {
    name: 'outbox_events_relayed_total',
    help: 'Outbox events confirmed by the broker and removed from the outbox',
    labelNames: ['type'] as const,
  });
  const claims = counter(opts.registry, {
    name: 'outbox_claims_total',
    help: 'Document leases: claimed, taken_over (from an expired lease), busy (another relay won), lost (expired)',
    labelNames: ['result'] as const,
  });
  // Where an event's time goes before it leaves the outbox; the consumer side adds delivery and handling.
  const stageLag = histogram(opts.registry, {
    name: 'outbox_event_lag_seconds',
    help: 'Age of an outbox event (now - occurredAt) when its document was claimed, the broker confirmed it, and it left the outbox',
    labelNames: ['type', 'stage'] as const,
    buckets: [...EVENT_LAG_BUCKETS_SECONDS],
  });
  const observeStage = (event: OutgoingEvent, stage: 'claimed' | 'confirmed' | 'removed'): void => {
    const occurredAt = Date.parse(event.occurredAt);
    if (Number.isFinite(occurredAt))
      stageLag.observe({ type: event.type, stage }, Math.max(0, Date.now() - occurredAt) / 1000);
  };
  let lastBacklog = 0;
  const backlog = async (): Promise<number> => {
    lastBacklog = await store.countPending();
    return lastBacklog;
  };
  gauge(opts.registry, {
    name: 'outbox_backlog',
    help: 'Events stored in the outbox and not yet confirmed by the broker',
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
  /**
   * The documents this relay is publishing now, by `String(id)`, from a pass or a kick. Both run side by side,
   * and a lease that is already ours can be claimed again, so this is what keeps one document from being
   * published twice at once by the same relay.
   */
  const working = new Map<string, Promise<boolean>>();

  /** More events are waiting behind a lease we just gave up: run a pass for them (or another one). */
  function passAgain(): void {
    if (running) again = true;
    else if (!stopped) void runOnce();
  }

  function storeFailed(err: unknown, message: string): void {
    failures.inc({ stage: 'store' });
    // Once per outage: MongoDB being away would otherwise log on every interval.
    if (!storeDown) log.warn(message, { err });
    storeDown = true;
  }

  /** Publishes one event; false when the broker failed (it stays pending, and so does everything behind it). */
  async function relayEvent(
    id: Id,
    event: OutgoingEvent,
    last: boolean,
  ): Promise<'next' | 'done' | 'blocked'> {
    // Retrying cannot fix an event that breaks the contract, and it would block every event behind it.
    const violation = contractViolation(event);
    if (violation) {
      await store.park(id, event, violation);
      failures.inc({ stage: 'invalid' });
      log.error('outbox event breaks the contract, parked in failedEvents', {
        eventId: event.id,
        documentId: String(id),
        reason: violation,
      });
      return 'next';
    }
    try {
      await opts.publish(event);
      observeStage(event, 'confirmed');
    } catch (err) {
      failures.inc({ stage: 'publish' });
      if (!brokerDown) log.warn('outbox publish failed, events stay pending', { eventId: event.id, err });
      brokerDown = true;
      return 'blocked';
    }
    const outcome = await store.confirmed(id, event, { owner, release: last });
    relayed.inc({ type: event.type });
    observeStage(event, 'removed');
    // Events written while we held the lease: they are free now, so run another pass for them.
    if (last && outcome === 'pending') passAgain();
    return outcome === 'finalized' || last ? 'done' : 'next';
  }

  /** Claims one document and publishes its events in order; false when the broker failed. */
  async function relayDocument(id: Id): Promise<boolean> {
    // Read before the write: the lease, counted from the database's clock at the write, cannot end earlier.
    let leaseFrom = performance.now();
    const lease = await store.claim(id, owner, ttlMs);
    if (!lease) {
      claims.inc({ result: 'busy' });
      return true;
    }
    claims.inc({ result: lease.takenOverFrom ? 'taken_over' : 'claimed' });
    if (lease.takenOverFrom) {
      log.warn('outbox lease expired, taking the document over', {
        documentId: String(id),
        previousOwner: lease.takenOverFrom,
      });
    }
    for (const event of lease.events) observeStage(event, 'claimed');
    let events = lease.events;
    let held = true;
    try {
      for (;;) {
        const [event, ...rest] = events;
        if (!event) return true;
        // A publish takes at most the publish timeout (< ttl / 2): renewing once half the lease is gone keeps
        // every publish of this relay inside its lease, unless the process stalls (then another relay takes
        // over and the event may go out twice: at-least-once).
        if (performance.now() - leaseFrom > ttlMs / 2) {
          const renewedFrom = performance.now();
          const renewed = await store.claim(id, owner, ttlMs);
          if (!renewed) {
            held = false;
            claims.inc({ result: 'lost' });
            log.warn('outbox lease expired while publishing, another relay continues', {
              documentId: String(id),
            });
            return true;
          }
          leaseFrom = renewedFrom;
          events = renewed.events;
          continue;
        }
        const step = await runWithContext({ requestId: event.correlationId }, () =>
          relayEvent(id, event, rest.length === 0),
        );
        if (step === 'blocked') return false;
        if (step === 'done') {
          held = false;
          return true;
        }
        events = rest;
      }
    } finally {
      if (held) await store.release(id, owner);
    }
  }

  /**
   * relayDocument, unless this relay is at that document already: events written after that run's claim are
   * not lost, since a run that ends its lease with events still pending starts a pass for them (passAgain).
   */
  function relayOnce(id: Id): Promise<boolean> {
    const key = String(id);
    if (working.has(key)) return Promise.resolve(true);
    const task = relayDocument(id).finally(() => working.delete(key));
    working.set(key, task);
    return task;
  }

  /**
   * A kicked document, published without waiting for a pass: no query for claimable documents and no queueing
   * behind a pass that is waiting for its confirms. Only the lease (one atomic write) comes before the publish.
   */
  function relayKicked(id: Id): void {
    relayOnce(id).then(
      (ok) => {
        if (ok) storeDown = false;
      },
      (err: unknown) =>
        storeFailed(err, 'outbox relay could not publish a written document, the next pass will'),
    );
  }

  /** One bounded pass: 'more' when a full batch went out (more may be waiting), 'blocked' when the broker failed. */
  async function pass(): Promise<'done' | 'more' | 'blocked'> {
    // Documents in hand elsewhere (kicked) are left to that run; asking for that many more keeps the batch full.
    const found = await store.findClaimable(owner, opts.batchSize + working.size);
    const ids = found.filter((id) => !working.has(String(id))).slice(0, opts.batchSize);
    // Documents go out side by side, so their broker confirms overlap instead of queueing one round trip after
    // another; each document's own events stay in order.
    const results = await Promise.allSettled(ids.map(relayOnce));
    const storeFailure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (storeFailure) throw storeFailure.reason;
    // The broker is the problem: the interval retries, in order.
    if (results.some((r) => r.status === 'fulfilled' && !r.value)) return 'blocked';
    if (brokerDown) log.info('outbox publishing again');
    brokerDown = false;
    return ids.length === opts.batchSize ? 'more' : 'done';
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
        storeFailed(err, 'outbox relay pass failed, retrying on the next pass');
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
    owner,
    kick: (documentId) => {
      if (stopped) return;
      // With the broker away a pass finds out once for all documents, and in order; with many documents in hand
      // already, the bounded pass takes over.
      if (documentId === undefined || brokerDown || working.size >= opts.batchSize) void runOnce();
      else relayKicked(documentId);
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
      await Promise.allSettled([running, ...working.values()]);
      stopping = false;
    },
  };
}
