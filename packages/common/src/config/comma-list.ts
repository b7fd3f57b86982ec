import Joi from 'joi';

// A Joi whose arrays also accept a comma-separated string ("a,b,c"), as environment variables and query strings
// carry lists. It stays an array schema, so an object schema typed with `Joi.object<T, true>` still checks it
// against `T`'s array field.
const listJoi: Joi.Root = Joi.extend((joi: Joi.Root) => ({
  type: 'array',
  base: joi.array(),
  coerce: {
    from: 'string',
    method: (value: string) => ({
      value: value
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== ''),
    }),
  },
}));

/** An array of `item`s that may also be written as `a,b,c`; items are trimmed and empty ones dropped. */
export const commaList = (item: Joi.Schema): Joi.ArraySchema => listJoi.array().items(item);
