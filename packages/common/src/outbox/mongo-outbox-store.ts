import type { OutgoingEvent } from '../events';
import { mongoose } from '../mongo';
import type { ConfirmOutcome, OutboxLease, OutboxStore } from './outbox-store';

const { Schema } = mongoose;
type ObjectId = mongoose.mongo.ObjectId;

/** The outbox part of a stored document, as the driver sees it. */
interface StoredOutbox extends OutboxFields {
  _id: ObjectId;
}

/** A relay's hold on one document: until `until` (the database's clock) only `owner` publishes its events. */
export interface OutboxClaim {
  owner: string;
  until: Date;
}

/** The outbox fields a document carries next to its own (see `outboxPlugin`). */
export interface OutboxFields<E extends OutgoingEvent = OutgoingEvent> {
  /** Events written with the change, waiting for the broker's confirm, oldest first. */
  pendingEvents: E[];
  /** Events the broker can never take (they fail the contract): kept for inspection instead of blocking. */
  failedEvents?: Array<E & { reason: string; failedAt: Date }>;
  /** Set only while a relay works on the document. */
  outboxClaim?: OutboxClaim;
}

const outgoingEventSchema = new Schema<OutgoingEvent>(
  {
    id: { type: String, required: true },
    type: { type: String, required: true },
    occurredAt: { type: String, required: true },
    data: { type: Schema.Types.Mixed, required: true },
    correlationId: { type: String },
  },
  { _id: false },
);

/**
 * Adds the outbox fields to a schema, and the index the relay scans: a sparse index on `pendingEvents.id`
 * holds only the documents that still carry events, however large the collection.
 */
export function outboxPlugin(schema: mongoose.Schema): void {
  schema.add({
    pendingEvents: { type: [outgoingEventSchema], default: [] },
    failedEvents: { type: [Schema.Types.Mixed], default: undefined },
    outboxClaim: {
      type: new Schema<OutboxClaim>({ owner: String, until: Date }, { _id: false }),
      default: undefined,
    },
  });
  schema.index({ 'pendingEvents.id': 1 }, { sparse: true });
}

/** Projection for reads that serve clients: the outbox is bookkeeping, never part of the document's shape. */
export const withoutOutboxFields = { pendingEvents: 0, failedEvents: 0, outboxClaim: 0 } as const;

export interface MongoOutboxStoreOptions {
  /**
   * A filter for events that finish their document: once such an event is confirmed, the document is deleted
   * if it also matches the filter (e.g. post.deleted on a soft-deleted post). The service's rule, not ours.
   */
  finalizeWhen?: (event: OutgoingEvent) => Record<string, unknown> | undefined;
}

type Filter = mongoose.mongo.Filter<StoredOutbox>;

const hasPending: Filter = { 'pendingEvents.id': { $exists: true } };

/** Free, expired (by the database's clock) or already ours. */
const claimableBy = (owner: string): Filter => ({
  $or: [
    { outboxClaim: { $exists: false } },
    { 'outboxClaim.owner': owner },
    { $expr: { $lte: ['$outboxClaim.until', '$$NOW'] } },
  ],
});

const remaining = (doc: Pick<StoredOutbox, 'pendingEvents'> | null): ConfirmOutcome =>
  doc && doc.pendingEvents.length > 0 ? 'pending' : 'empty';

/**
 * The outbox store over a mongoose model whose schema uses `outboxPlugin`. It writes through the driver's
 * collection: outbox bookkeeping is no change to the document (no `updatedAt`), and the lease uses `$$NOW`.
 */
export function createMongoOutboxStore<D extends OutboxFields>(
  model: mongoose.Model<D>,
  options: MongoOutboxStoreOptions = {},
): OutboxStore<ObjectId> {
  const docs = model.db.collection<StoredOutbox>(model.collection.collectionName);
  return {
    async findClaimable(owner, limit) {
      const found = await docs
        .find({ ...hasPending, ...claimableBy(owner) }, { projection: { _id: 1 } })
        .sort({ _id: 1 })
        .limit(limit)
        .toArray();
      return found.map((d) => d._id);
    },

    async claim(id, owner, ttlMs): Promise<OutboxLease<ObjectId> | null> {
      // One findAndModify: of two relays racing for the document, exactly one matches the filter. The
      // document as it was before tells whose expired lease this replaced.
      const before = await docs.findOneAndUpdate(
        { _id: id, ...hasPending, ...claimableBy(owner) },
        [{ $set: { outboxClaim: { owner: { $literal: owner }, until: { $add: ['$$NOW', ttlMs] } } } }],
        { returnDocument: 'before', projection: { pendingEvents: 1, outboxClaim: 1 } },
      );
      if (!before) return null;
      const previous = before.outboxClaim?.owner;
      return {
        id,
        events: before.pendingEvents,
        ...(previous && previous !== owner ? { takenOverFrom: previous } : {}),
      };
    },

    async confirmed(id, event, lease) {
      const finalize = options.finalizeWhen?.(event);
      if (finalize) {
        const { deletedCount } = await docs.deleteOne({ _id: id, ...finalize });
        // Zero: a relay that took over finished it already, or it no longer qualifies; take the event out.
        if (deletedCount === 1) return 'finalized';
      }
      const pull: mongoose.mongo.UpdateFilter<StoredOutbox> = { $pull: { pendingEvents: { id: event.id } } };
      const after = { returnDocument: 'after', projection: { 'pendingEvents.id': 1 } } as const;
      if (lease.release) {
        const released = await docs.findOneAndUpdate(
          { _id: id, 'outboxClaim.owner': lease.owner },
          { ...pull, $unset: { outboxClaim: '' } },
          after,
        );
        if (released) return remaining(released);
        // The lease was lost meanwhile: the event was confirmed all the same, so it still leaves the outbox.
      }
      return remaining(await docs.findOneAndUpdate({ _id: id }, pull, after));
    },

    async park(id, event, reason) {
      await docs.updateOne(
        { _id: id },
        {
          $pull: { pendingEvents: { id: event.id } },
          $push: { failedEvents: { ...event, reason, failedAt: new Date() } },
        },
      );
    },

    async release(id, owner) {
      await docs.updateOne({ _id: id, 'outboxClaim.owner': owner }, { $unset: { outboxClaim: '' } });
    },

    async countPending() {
      const [row] = await docs
        .aggregate<{ n: number }>([
          { $match: hasPending },
          { $group: { _id: null, n: { $sum: { $size: '$pendingEvents' } } } },
        ])
        .toArray();
      return row?.n ?? 0;
    },
  };
}
