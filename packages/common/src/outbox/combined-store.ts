import type { OutboxStore } from './outbox-store';

/** A document of one of the combined stores: which store, and its id there. */
export interface CombinedId<Id> {
  store: string;
  id: Id;
  /** `<store>/<id>`, as the relay's logs name the document. */
  toString(): string;
}

const combinedId = <Id>(store: string, id: Id): CombinedId<Id> => ({
  store,
  id,
  toString: () => `${store}/${String(id)}`,
});

/**
 * Several collections' outboxes as one store, so a service whose events live in more than one collection
 * (identity: users and follow edges) runs one relay, one set of metrics and one lease owner. Each document's
 * events stay in order; documents of different collections go out side by side.
 */
export function combineOutboxStores<Id>(
  stores: Record<string, OutboxStore<Id>>,
): OutboxStore<CombinedId<Id>> {
  const entries = Object.entries(stores);
  const storeOf = (name: string): OutboxStore<Id> => {
    const store = stores[name];
    if (!store) throw new Error(`no outbox store named ${name}`);
    return store;
  };
  return {
    async findClaimable(owner, limit) {
      const found = await Promise.all(
        entries.map(async ([store, s]) =>
          (await s.findClaimable(owner, limit)).map((id) => combinedId(store, id)),
        ),
      );
      // Round robin, so a busy collection cannot starve another within one bounded pass.
      const merged: CombinedId<Id>[] = [];
      for (let i = 0; merged.length < limit && found.some((list) => i < list.length); i++) {
        for (const list of found) {
          const next = list[i];
          if (next && merged.length < limit) merged.push(next);
        }
      }
      return merged;
    },
    async claim(combined, owner, ttlMs) {
      const lease = await storeOf(combined.store).claim(combined.id, owner, ttlMs);
      return lease && { ...lease, id: combined };
    },
    confirmed: (combined, event, lease) => storeOf(combined.store).confirmed(combined.id, event, lease),
    park: (combined, event, reason) => storeOf(combined.store).park(combined.id, event, reason),
    release: (combined, owner) => storeOf(combined.store).release(combined.id, owner),
    async countPending() {
      const counts = await Promise.all(entries.map(([, s]) => s.countPending()));
      return counts.reduce((sum, n) => sum + n, 0);
    },
  };
}
