import type { OutgoingEvent } from '../events';

/** A document's events as one relay holds them, in the order they must go out. */
export interface OutboxLease<Id> {
  id: Id;
  events: OutgoingEvent[];
  /** The relay whose expired lease this claim replaced (it crashed or stalled), if any. */
  takenOverFrom?: string;
}

/**
 * What is left of a document once a confirmed event was taken out: `finalized` when that event finished it
 * (e.g. a soft-deleted document removed after its deletion event), else whether events are still pending.
 */
export type ConfirmOutcome = 'finalized' | 'pending' | 'empty';

/**
 * Where the relay finds the outbox: events stored inside the changed documents (`pendingEvents`), in any
 * collection, and a lease per document (`outboxClaim: {owner, until}`) so that of N relays one publishes a
 * document's events at a time. Every method is one atomic write or one read; the lease's clock is the
 * database's, so relays on hosts with skewed clocks still agree on when it expires.
 */
export interface OutboxStore<Id> {
  /** Documents with pending events that no other live relay holds (free, expired or ours), oldest first. */
  findClaimable(owner: string, limit: number): Promise<Id[]>;
  /**
   * Claims or renews the document's lease for `ttlMs` in one atomic write, when the lease is free, expired or
   * already `owner`'s and events are pending. Null when another live relay holds it or nothing is pending.
   */
  claim(id: Id, owner: string, ttlMs: number): Promise<OutboxLease<Id> | null>;
  /**
   * The broker confirmed `event`: take it out of the outbox, or finalize the document when the event ends it.
   * With `release`, the owner's lease ends in the same write (it was the lease's last event).
   */
  confirmed(
    id: Id,
    event: OutgoingEvent,
    lease: { owner: string; release: boolean },
  ): Promise<ConfirmOutcome>;
  /** Moves an event the broker contract rejects to `failedEvents`, so the events behind it can go out. */
  park(id: Id, event: OutgoingEvent, reason: string): Promise<void>;
  /** Ends `owner`'s lease (a no-op when another relay holds it now). */
  release(id: Id, owner: string): Promise<void>;
  /** Events stored and not yet confirmed, over the whole collection. */
  countPending(): Promise<number>;
}
