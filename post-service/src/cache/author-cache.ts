import type { AuthorDto } from '../models/author.model';

/**
 * The author projection as posts show it, remembered in this process for a few seconds. Every answer with posts
 * in it asked MongoDB for their authors: on a cached `GET /posts/:id` that one query was a third of
 * post-service's CPU, with as much again in mongod. This replica's own projection writes forget the author at
 * once; another replica's write shows here within the TTL, as every projection in this service is eventually
 * consistent with identity anyway.
 */
export interface AuthorCache {
  /** The known authors among `ids`; `load` is asked only for those not remembered, and its answer kept. */
  find(ids: string[], load: (missing: string[]) => Promise<AuthorDto[]>): Promise<Map<string, AuthorDto>>;
  /** Their projection was just written: forget them, and keep nothing from a load already under way. */
  forget(ids: string[]): void;
}

export interface AuthorCacheOptions {
  /** 0: remember nothing (every answer asks MongoDB). */
  ttlMs: number;
  /** Past this many authors the oldest entries go first. */
  maxEntries?: number;
}

export function createAuthorCache(options: AuthorCacheOptions): AuthorCache {
  if (options.ttlMs <= 0) return disabledAuthorCache();
  const maxEntries = options.maxEntries ?? 10_000;
  const entries = new Map<string, { author: AuthorDto; expiresAt: number }>();
  // Moves on every forget: a load that began before a write may have read the old profile, and must not store it
  // after the write forgot it.
  let generation = 0;

  const remember = (author: AuthorDto, expiresAt: number): void => {
    entries.delete(author.id);
    if (entries.size >= maxEntries) {
      const oldest = entries.keys().next();
      if (!oldest.done) entries.delete(oldest.value);
    }
    entries.set(author.id, { author, expiresAt });
  };

  return {
    async find(ids, load) {
      const now = Date.now();
      const found = new Map<string, AuthorDto>();
      const missing: string[] = [];
      for (const id of ids) {
        const entry = entries.get(id);
        if (entry && entry.expiresAt > now) found.set(id, entry.author);
        else missing.push(id);
      }
      if (missing.length === 0) return found;
      const startedAt = generation;
      const loaded = await load(missing);
      const keep = startedAt === generation;
      const expiresAt = Date.now() + options.ttlMs;
      for (const author of loaded) {
        found.set(author.id, author);
        if (keep) remember(author, expiresAt);
      }
      return found;
    },

    forget(ids) {
      generation += 1;
      for (const id of ids) entries.delete(id);
    },
  };
}

/** CACHE_ENABLED=false (or a TTL of 0): every answer asks MongoDB. */
export function disabledAuthorCache(): AuthorCache {
  return {
    find: async (ids, load) => new Map((await load(ids)).map((a) => [a.id, a])),
    forget: () => undefined,
  };
}
