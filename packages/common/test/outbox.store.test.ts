import { randomUUID } from 'node:crypto';
import { startMongo, type TestMongo } from '@social/testkit';
import { waitFor } from '@social/testkit/helpers';
import type { OutgoingEvent } from '../src/events';
import { mongoose, type Connection } from '../src/mongo';
import { createMongoOutboxStore, outboxPlugin, type OutboxFields, type OutboxStore } from '../src/outbox';

// Any collection can carry an outbox: a document of a made-up service, not a post.
interface WidgetDoc extends OutboxFields {
  _id: mongoose.Types.ObjectId;
  name: string;
  retiredAt: Date | null;
  updatedAt: Date;
}

const schema = new mongoose.Schema<WidgetDoc>(
  { name: String, retiredAt: { type: Date, default: null } },
  { collection: 'widgets', timestamps: true, versionKey: false },
);
schema.plugin(outboxPlugin);

let mongo: TestMongo;
let conn: Connection;
let widgets: mongoose.Model<WidgetDoc>;
let store: OutboxStore<mongoose.mongo.ObjectId>;

beforeAll(async () => {
  mongo = await startMongo({ log: () => undefined });
  conn = await mongoose.createConnection(mongo.uri).asPromise();
  widgets = conn.model<WidgetDoc>('Widget', schema);
  await widgets.init();
  store = createMongoOutboxStore(widgets, {
    finalizeWhen: (event) => (event.type === 'widget.retired' ? { retiredAt: { $ne: null } } : undefined),
  });
});
afterAll(async () => {
  await conn.close();
  await mongo.stop();
});

const event = (type = 'widget.created'): OutgoingEvent => ({
  id: randomUUID(),
  type,
  occurredAt: new Date().toISOString(),
  data: { n: 1 },
});

const widgetWith = async (...pendingEvents: OutgoingEvent[]) =>
  (await widgets.create({ name: `w-${randomUUID()}`, pendingEvents }))._id;

const stored = (id: mongoose.Types.ObjectId) => widgets.findById(id).lean();

describe('claim', () => {
  test('when one relay holds the lease, then another gets nothing until it expires, then takes it over', async () => {
    const first = event();
    const id = await widgetWith(first);

    const a = await store.claim(id, 'relay-a', 300);
    const meanwhile = await store.claim(id, 'relay-b', 300);
    const b = await waitFor(() => store.claim(id, 'relay-b', 300), { description: 'the lease expired' });

    expect(a).toEqual({ id, events: [first] });
    expect(meanwhile).toBeNull();
    expect(b).toEqual({ id, events: [first], takenOverFrom: 'relay-a' });
    expect((await stored(id))?.outboxClaim).toMatchObject({ owner: 'relay-b', until: expect.any(Date) });
  });

  test('when the holder claims again, then its lease is renewed, not taken over', async () => {
    const id = await widgetWith(event());
    await store.claim(id, 'relay-a', 60_000);
    const before = (await stored(id))?.outboxClaim?.until;

    const renewed = await store.claim(id, 'relay-a', 120_000);

    expect(renewed).not.toHaveProperty('takenOverFrom');
    expect((await stored(id))?.outboxClaim?.until.getTime()).toBeGreaterThan(before?.getTime() ?? Infinity);
  });

  test('when nothing is pending, then there is nothing to claim', async () => {
    const id = await widgetWith();

    expect(await store.claim(id, 'relay-a', 60_000)).toBeNull();
  });
});

describe('findClaimable', () => {
  test('when documents are free, expired, ours or held by another live relay, then only the last are left out', async () => {
    const free = await widgetWith(event());
    const ours = await widgetWith(event());
    const others = await widgetWith(event());
    const expired = await widgetWith(event());
    await store.claim(ours, 'relay-a', 60_000);
    await store.claim(others, 'relay-b', 60_000);
    await widgets.updateOne({ _id: expired }, { outboxClaim: { owner: 'relay-c', until: new Date(0) } });

    const found = await store.findClaimable('relay-a', 1000);

    const mine = [free, ours, others, expired].map(String).filter((id) => found.map(String).includes(id));
    expect(mine).toEqual([free, ours, expired].map(String));
  });
});

describe('confirmed', () => {
  test('when the last event of a lease is confirmed, then it and the lease go in one write and updatedAt stays', async () => {
    const only = event();
    const id = await widgetWith(only);
    const updatedAt = (await stored(id))?.updatedAt;
    await store.claim(id, 'relay-a', 60_000);

    const outcome = await store.confirmed(id, only, { owner: 'relay-a', release: true });

    expect(outcome).toBe('empty');
    const doc = await stored(id);
    expect(doc).toMatchObject({ pendingEvents: [], updatedAt });
    expect(doc?.outboxClaim).toBeUndefined();
  });

  test('when an event was added during the lease, then confirming the last claimed one reports it pending', async () => {
    const claimed = event();
    const id = await widgetWith(claimed);
    await store.claim(id, 'relay-a', 60_000);
    await widgets.updateOne({ _id: id }, { $push: { pendingEvents: event('widget.renamed') } });

    expect(await store.confirmed(id, claimed, { owner: 'relay-a', release: true })).toBe('pending');
  });

  test('when the lease passed to another relay before the confirm, then the event still leaves and their lease stays', async () => {
    const confirmed = event();
    const id = await widgetWith(confirmed, event('widget.renamed'));
    await store.claim(id, 'relay-a', 1);
    await waitFor(() => store.claim(id, 'relay-b', 60_000), { description: 'relay-b took over' });

    const outcome = await store.confirmed(id, confirmed, { owner: 'relay-a', release: true });

    expect(outcome).toBe('pending');
    expect(await stored(id)).toMatchObject({
      pendingEvents: [expect.objectContaining({ type: 'widget.renamed' })],
      outboxClaim: { owner: 'relay-b' },
    });
  });

  test('when the confirmed event finishes the document, then the document is deleted', async () => {
    const retired = event('widget.retired');
    const id = (await widgets.create({ name: 'old', retiredAt: new Date(), pendingEvents: [retired] }))._id;
    await store.claim(id, 'relay-a', 60_000);

    const outcome = await store.confirmed(id, retired, { owner: 'relay-a', release: true });

    expect(outcome).toBe('finalized');
    expect(await stored(id)).toBeNull();
  });
});

describe('park, release and countPending', () => {
  test('when an event is parked and the lease released, then it moves to failedEvents and nothing is held', async () => {
    const bad = event();
    const id = await widgetWith(bad);
    await store.claim(id, 'relay-a', 60_000);
    const pendingBefore = await store.countPending();

    await store.park(id, bad, 'breaks the contract');
    await store.release(id, 'relay-a');

    const doc = await stored(id);
    expect(doc?.pendingEvents).toEqual([]);
    expect(doc?.failedEvents).toEqual([
      { ...bad, reason: 'breaks the contract', failedAt: expect.any(Date) },
    ]);
    expect(doc?.outboxClaim).toBeUndefined();
    expect(await store.countPending()).toBe(pendingBefore - 1);
  });

  test('when another relay holds the lease, then release leaves it alone', async () => {
    const id = await widgetWith(event());
    await store.claim(id, 'relay-b', 60_000);

    await store.release(id, 'relay-a');

    expect((await stored(id))?.outboxClaim).toMatchObject({ owner: 'relay-b' });
  });
});
