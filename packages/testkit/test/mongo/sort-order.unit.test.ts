import { Long, ObjectId } from 'bson';
import { compareValues, sortByKeys } from '../../src/mongo/sort-order';

describe('compareValues()', () => {
  test('when values of every type are sorted, then they follow BSON type order', () => {
    const oid = new ObjectId();
    const date = new Date(0);
    const values = [true, date, oid, { a: 1 }, 'b', 2, null, [1], /x/];
    expect([...values].sort(compareValues)).toEqual([null, 2, 'b', { a: 1 }, [1], oid, true, date, /x/]);
  });

  test('when numbers of different widths meet, then they compare by value', () => {
    expect(compareValues(Long.fromNumber(3), 2.5)).toBe(1);
    expect(compareValues(NaN, -Infinity)).toBe(-1);
  });

  test('when strings differ beyond the BMP, then code point order decides, as UTF-8 bytes would', () => {
    expect(compareValues('\u{1F600}', '\uFF5E')).toBe(1);
  });
});

describe('sortByKeys()', () => {
  const docs = [{ n: 1, a: [3, 1] }, { n: 2, a: 2 }, { n: 3, a: [0, 5] }, { n: 4 }, { n: 5, a: [] }];
  const order = (spec: Record<string, 1 | -1>) => sortByKeys(docs, spec).map((d) => d.n);

  test('when sorting ascending by an array field, then each array sorts by its smallest element', () => {
    expect(order({ a: 1 })).toEqual([5, 4, 3, 1, 2]);
  });

  test('when sorting descending by an array field, then each array sorts by its largest element', () => {
    expect(order({ a: -1 })).toEqual([3, 1, 2, 4, 5]);
  });

  test('when keys tie, then the input order is kept', () => {
    expect(
      sortByKeys(
        [
          { k: 1, i: 1 },
          { k: 0, i: 2 },
          { k: 1, i: 3 },
        ],
        { k: 1 },
      ).map((d) => d.i),
    ).toEqual([2, 1, 3]);
  });
});
