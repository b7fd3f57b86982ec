import type { Document } from 'bson';
import { isPlainObject } from './values';

const isOperatorObject = (value: unknown): value is Document =>
  isPlainObject(value) && Object.keys(value).some((key) => key.startsWith('$'));

const includesArrayType = (type: unknown): boolean =>
  (Array.isArray(type) ? type : [type]).some((t) => t === 'array' || t === 4);

/**
 * Rewrites the few operators where mingo answers differently from mongod into equivalent filters mingo
 * evaluates the way mongod does (each checked against mongod in mongod-conformance.test.ts):
 * - `$gte: null` / `$lte: null` also match a missing field in mongod: they mean `$eq: null`.
 * - `$type` and `$mod` look inside arrays in mongod; `$mod` never matches null.
 * - `$not` is "does not match", which `$nor` states in a form the rewrites above reach.
 * Returns `filter` itself when nothing needs rewriting, which is the common case.
 */
export function normalizeFilter(filter: Document): Document {
  let out: Document | undefined;
  const extra: Document[] = [];
  for (const [key, value] of Object.entries(filter)) {
    let replacement: unknown = value;
    let clauses: Document[] | undefined;
    if ((key === '$and' || key === '$or' || key === '$nor') && Array.isArray(value)) {
      const mapped = value.map((clause: unknown) =>
        isPlainObject(clause) ? normalizeFilter(clause) : clause,
      );
      if (mapped.some((clause, i) => clause !== value[i])) replacement = mapped;
    } else if (!key.startsWith('$') && isOperatorObject(value)) {
      clauses = fieldClauses(key, value);
    }
    if (replacement === value && !clauses) continue;
    out ??= { ...filter };
    if (clauses) {
      delete out[key];
      extra.push(...clauses);
    } else {
      out[key] = replacement;
    }
  }
  if (!out) return filter;
  if (extra.length) out.$and = [...(Array.isArray(out.$and) ? out.$and : []), ...extra];
  return out;
}

/** The clauses (ANDed) one field's operators become, or undefined when mingo already gets them right. */
function fieldClauses(field: string, ops: Document): Document[] | undefined {
  const kept: Document = {};
  const clauses: Document[] = [];
  const elementwise = (condition: Document): Document => ({
    $or: [{ [field]: condition }, { [field]: { $elemMatch: condition } }],
  });
  for (const [op, arg] of Object.entries(ops)) {
    if ((op === '$gte' || op === '$lte') && arg === null) clauses.push({ [field]: { $eq: null } });
    else if (op === '$type' && !includesArrayType(arg)) clauses.push(elementwise({ $type: arg }));
    else if (op === '$mod') clauses.push(elementwise({ $type: 'number', $mod: arg }));
    else if (op === '$not' && (isPlainObject(arg) || arg instanceof RegExp)) {
      clauses.push({ $nor: [normalizeFilter({ [field]: arg })] });
    } else kept[op] = arg;
  }
  if (clauses.length === 0) return undefined;
  return Object.keys(kept).length ? [{ [field]: kept }, ...clauses] : clauses;
}
