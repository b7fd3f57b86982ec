import { setTimeout as delay } from 'node:timers/promises';
import { createAuthorCache } from '../src/cache/author-cache';
import type { AuthorDto } from '../src/models/author.model';

const author = (id: string, displayName = `name of ${id}`): AuthorDto => ({ id, username: id, displayName });

/** A loader that answers from `profiles` and records what it was asked. */
function loader(profiles: Map<string, AuthorDto>) {
  const asked: string[][] = [];
  const load = async (missing: string[]): Promise<AuthorDto[]> => {
    asked.push(missing);
    return missing.flatMap((id) => {
      const found = profiles.get(id);
      return found ? [{ ...found }] : [];
    });
  };
  return { asked, load };
}

describe('author cache (one replica’s memory of the author projection)', () => {
  test('when the same authors are asked for again within the TTL, then only the ones not yet known are loaded', async () => {
    // Arrange
    const cache = createAuthorCache({ ttlMs: 60_000 });
    const { asked, load } = loader(
      new Map([
        ['a', author('a')],
        ['b', author('b')],
      ]),
    );
    // Act
    await cache.find(['a'], load);
    const second = await cache.find(['a', 'b'], load);
    const third = await cache.find(['b', 'a'], load);
    // Assert
    expect(asked).toEqual([['a'], ['b']]);
    expect([...second.values()]).toEqual([author('a'), author('b')]);
    expect(third.get('a')).toEqual(author('a'));
  });

  test('when an author is unknown, then it is absent and asked for again next time', async () => {
    const cache = createAuthorCache({ ttlMs: 60_000 });
    const { asked, load } = loader(new Map());

    expect((await cache.find(['ghost'], load)).size).toBe(0);
    await cache.find(['ghost'], load);

    expect(asked).toEqual([['ghost'], ['ghost']]);
  });

  test('when the TTL has passed, then the author is loaded again and a changed profile shows', async () => {
    // Arrange
    const profiles = new Map([['a', author('a', 'before')]]);
    const cache = createAuthorCache({ ttlMs: 50 });
    const { load } = loader(profiles);
    await cache.find(['a'], load);
    profiles.set('a', author('a', 'after'));
    // Act
    const within = await cache.find(['a'], load);
    await delay(80);
    const past = await cache.find(['a'], load);
    // Assert
    expect(within.get('a')?.displayName).toBe('before');
    expect(past.get('a')?.displayName).toBe('after');
  });

  test('when a projection write forgets an author, then the next answer loads the new profile', async () => {
    const profiles = new Map([['a', author('a', 'before')]]);
    const cache = createAuthorCache({ ttlMs: 60_000 });
    const { load } = loader(profiles);
    await cache.find(['a'], load);

    profiles.set('a', author('a', 'after'));
    cache.forget(['a']);

    expect((await cache.find(['a'], load)).get('a')?.displayName).toBe('after');
  });

  test('when a write forgets an author while a load that read the old profile is under way, then that load is answered but not kept', async () => {
    // Arrange: a load that has read "before" and is still on its way back
    const profiles = new Map([['a', author('a', 'before')]]);
    const cache = createAuthorCache({ ttlMs: 60_000 });
    let release = (): void => undefined;
    const slow = async (missing: string[]): Promise<AuthorDto[]> => {
      const read = missing.map(() => author('a', 'before'));
      await new Promise<void>((resolve) => (release = resolve));
      return read;
    };
    const pending = cache.find(['a'], slow);
    // Act: the write lands and forgets the author, then the old read arrives
    profiles.set('a', author('a', 'after'));
    cache.forget(['a']);
    release();
    const raced = await pending;
    // Assert
    expect(raced.get('a')?.displayName).toBe('before');
    expect((await cache.find(['a'], loader(profiles).load)).get('a')?.displayName).toBe('after');
  });

  test('when the TTL is 0, then nothing is remembered and every answer asks the loader', async () => {
    const cache = createAuthorCache({ ttlMs: 0 });
    const { asked, load } = loader(new Map([['a', author('a')]]));

    await cache.find(['a'], load);
    const again = await cache.find(['a'], load);

    expect(asked).toEqual([['a'], ['a']]);
    expect(again.get('a')).toEqual(author('a'));
  });

  test('when more authors are seen than the bound, then the oldest are dropped first', async () => {
    const profiles = new Map(['a', 'b', 'c'].map((id) => [id, author(id)]));
    const cache = createAuthorCache({ ttlMs: 60_000, maxEntries: 2 });
    const { asked, load } = loader(profiles);

    await cache.find(['a', 'b'], load);
    await cache.find(['c'], load);
    await cache.find(['b', 'c', 'a'], load);

    expect(asked).toEqual([['a', 'b'], ['c'], ['a']]);
  });
});
