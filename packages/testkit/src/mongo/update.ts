import { ObjectId, type Document } from 'bson';
import { aggregate, update as mingoUpdate } from 'mingo';
import { CommandError } from './command-error';
import { cloneValue, isPlainObject, setPath, valueKey } from './values';

const UPDATE_OPERATORS = new Set([
  '$set',
  '$unset',
  '$inc',
  '$mul',
  '$min',
  '$max',
  '$rename',
  '$currentDate',
  '$push',
  '$pull',
  '$pullAll',
  '$addToSet',
  '$pop',
  '$bit',
  '$setOnInsert',
]);

export type UpdateSpec = Document | Document[];

export interface UpdateContext {
  filter: Document;
  arrayFilters?: Document[];
}

export interface UpdateOutcome {
  doc: Document;
  modified: boolean;
}

export function validateUpdate(spec: unknown): UpdateSpec {
  if (Array.isArray(spec)) {
    if (!spec.every(isPlainObject))
      throw new CommandError('FailedToParse', 'pipeline stages must be objects');
    return spec;
  }
  if (!isPlainObject(spec)) throw new CommandError('FailedToParse', 'Update argument must be an object');
  const keys = Object.keys(spec);
  const operators = keys.filter((k) => k.startsWith('$'));
  if (operators.length > 0 && operators.length !== keys.length) {
    throw new CommandError('FailedToParse', 'Update document cannot mix operators and fields');
  }
  for (const op of operators) {
    if (!UPDATE_OPERATORS.has(op)) {
      throw new CommandError('FailedToParse', `Unknown modifier: ${op}. Expected a valid update modifier`);
    }
    if (!isPlainObject(spec[op])) {
      throw new CommandError(
        'FailedToParse',
        'Modifiers operate on fields but we found another type instead',
      );
    }
  }
  checkConflicts(spec);
  return spec;
}

/**
 * mongod builds one tree of every path the operators touch, `$setOnInsert` included (whether or not the
 * update inserts), and refuses a path equal to, or nested in, another one. The conflict is reported at the
 * shorter path, in the order the operators and fields were sent.
 */
function checkConflicts(spec: Document): void {
  const seen: string[][] = [];
  for (const [op, fields] of Object.entries(spec)) {
    for (const [path, value] of Object.entries(fields as Document)) {
      // $rename claims its source (against other writers) and its target.
      const paths = op === '$rename' && typeof value === 'string' && value !== path ? [path, value] : [path];
      for (const target of paths) {
        const parts = target.split('.');
        for (const other of seen) {
          const shorter = other.length <= parts.length ? other : parts;
          if (shorter.every((part, i) => part === other[i] && part === parts[i])) {
            throw new CommandError(
              'ConflictingUpdateOperators',
              `Updating the path '${target}' would create a conflict at '${shorter.join('.')}'`,
            );
          }
        }
        seen.push(parts);
      }
    }
  }
}

const isOperatorUpdate = (spec: Document): boolean => Object.keys(spec).some((k) => k.startsWith('$'));

/** Applies an update to a copy of `current`; the stored document is left untouched. */
export function applyUpdate(current: Document, spec: UpdateSpec, ctx: UpdateContext): UpdateOutcome {
  const doc = updatedCopy(current, spec, ctx);
  // Compared as index keys so that rewriting a field with an equal value is not counted as a modification.
  return { doc, modified: valueKey(doc) !== valueKey(current) };
}

function updatedCopy(current: Document, spec: UpdateSpec, ctx: UpdateContext): Document {
  if (Array.isArray(spec)) {
    const [doc] = aggregate([cloneValue(current)], spec);
    if (!doc) throw new CommandError('BadValue', 'pipeline update produced no document');
    return withIdFirst(doc, current._id);
  }
  if (!isOperatorUpdate(spec)) {
    if ('_id' in spec && valueKey(spec._id) !== valueKey(current._id)) {
      throw new CommandError(
        'ImmutableField',
        "After applying the update, the (immutable) field '_id' was found to have been altered",
      );
    }
    return withIdFirst(cloneValue(spec), current._id);
  }
  const { $setOnInsert: _onInsertOnly, ...modifier } = spec;
  const doc = cloneValue(current);
  runOperators(doc, modifier, ctx);
  return doc;
}

/**
 * The document an upsert inserts: the filter's equality fields, then the update (with `$setOnInsert`
 * applied like `$set`), `_id` first and generated when neither provides one.
 */
export function buildUpsertDocument(spec: UpdateSpec, ctx: UpdateContext): Document {
  const base: Document = {};
  collectEqualities(ctx.filter, base);
  if (Array.isArray(spec)) {
    const [doc] = aggregate([base], spec);
    return withIdFirst(doc ?? {}, base._id ?? new ObjectId());
  }
  if (!isOperatorUpdate(spec)) {
    return withIdFirst(cloneValue(spec), spec._id ?? base._id ?? new ObjectId());
  }
  const { $setOnInsert, $set, ...rest } = spec;
  const modifier: Document = { ...rest };
  if ($set || $setOnInsert) modifier.$set = { ...($set as Document), ...($setOnInsert as Document) };
  const doc = cloneValue(base);
  runOperators(doc, modifier, { ...ctx, filter: {} });
  return withIdFirst(doc, doc._id ?? new ObjectId());
}

function runOperators(doc: Document, modifier: Document, ctx: UpdateContext): void {
  if (Object.keys(modifier).length === 0) return;
  try {
    // The filter is the condition mingo needs for positional `$`; `$text` is already applied and mingo lacks it.
    const { $text: _text, ...condition } = ctx.filter;
    mingoUpdate(doc, modifier, ctx.arrayFilters, condition, { cloneMode: 'copy' });
  } catch (err) {
    if (err instanceof CommandError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw new CommandError(/immutable field '_id'/.test(message) ? 'ImmutableField' : 'BadValue', message);
  }
}

function collectEqualities(filter: Document, out: Document): void {
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' && Array.isArray(value)) {
      for (const clause of value) if (isPlainObject(clause)) collectEqualities(clause, out);
      continue;
    }
    if (key.startsWith('$') || value instanceof RegExp) continue;
    if (isPlainObject(value) && Object.keys(value).some((k) => k.startsWith('$'))) {
      if ('$eq' in value) setPath(out, key, cloneValue(value.$eq));
      continue;
    }
    setPath(out, key, cloneValue(value));
  }
}

function withIdFirst(doc: Document, id: unknown): Document {
  const { _id: _drop, ...rest } = doc;
  return { _id: id, ...rest };
}
