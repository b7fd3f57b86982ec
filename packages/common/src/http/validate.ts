import type { RequestHandler, Response } from 'express';
import type Joi from 'joi';
import { UnsupportedMediaTypeError, ValidationError, type ErrorDetail } from './errors';

/**
 * The schemas of one route. Write each as `Joi.object<T, true>({...})`: joi's types then demand one schema of
 * the right kind per field of `T`, and the validated input is typed `T` by construction, with no cast.
 */
export interface RequestSchemas<B = undefined, Q = undefined, P = undefined> {
  body?: Joi.ObjectSchema<B>;
  query?: Joi.ObjectSchema<Q>;
  params?: Joi.ObjectSchema<P>;
}

/** What a route handler gets: the validated, converted parts, typed by their schemas. */
export interface ValidatedInput<B, Q, P> {
  body: B;
  query: Q;
  params: P;
}

/** The validating middleware, and the typed way for the route's handler to read what it validated. */
export interface Validator<B, Q, P> extends RequestHandler {
  input(res: Response): ValidatedInput<B, Q, P>;
}

const joiOptions: Joi.ValidationOptions = {
  abortEarly: false,
  convert: true,
  errors: { wrap: { label: false } },
};

/**
 * Path of the first own `__proto__` key (JSON.parse keeps it as a plain own property, and joi skips it when it
 * looks for unknown keys), so a prototype-pollution attempt is refused instead of being passed on.
 */
function protoKeyPath(value: unknown, path: string[] = [], depth = 0): string[] | undefined {
  if (value === null || typeof value !== 'object' || depth > 64) return undefined;
  if (Object.prototype.hasOwnProperty.call(value, '__proto__')) return [...path, '__proto__'];
  for (const [key, child] of Object.entries(value)) {
    const found = protoKeyPath(child, [...path, key], depth + 1);
    if (found) return found;
  }
  return undefined;
}

/**
 * Validates params, query and body in one pass and reports every problem at once. The handler reads the
 * validated (converted) values with `validator.input(res)`: typed by the schemas, stored per validator (Express
 * 5 makes `req.query` read-only, and `req.body` stays what the client sent).
 */
export function validate<B = undefined, Q = undefined, P = undefined>(
  schemas: RequestSchemas<B, Q, P>,
): Validator<B, Q, P> {
  const validated = new WeakMap<Response, ValidatedInput<B, Q, P>>();
  const middleware: RequestHandler = (req, res, next) => {
    // req.is() is null without a body and false for a body of another type.
    if (schemas.body && req.is('application/json') === false) {
      throw new UnsupportedMediaTypeError('Content-Type must be application/json');
    }
    const details: ErrorDetail[] = [];
    const check = <T>(
      part: keyof RequestSchemas,
      schema: Joi.ObjectSchema<T> | undefined,
      input: unknown,
    ) => {
      if (!schema) return undefined;
      const { value, error } = schema.validate(input ?? {}, joiOptions);
      for (const d of error?.details ?? []) {
        details.push({ path: [part, ...d.path].join('.'), reason: d.message });
      }
      return value;
    };
    const input = {
      params: check('params', schemas.params, req.params),
      query: check('query', schemas.query, req.query),
      body: check('body', schemas.body, req.body),
    };
    const protoPath = schemas.body ? protoKeyPath(req.body) : undefined;
    if (protoPath)
      details.push({ path: ['body', ...protoPath].join('.'), reason: '__proto__ is not allowed' });
    if (details.length > 0) throw new ValidationError('Validation failed', details);
    // Each part is its schema's output (an absent schema leaves its part undefined, as B/Q/P default to).
    validated.set(res, input as ValidatedInput<B, Q, P>);
    next();
  };
  return Object.assign(middleware, {
    input(res: Response): ValidatedInput<B, Q, P> {
      const input = validated.get(res);
      // Reading input the validator did not store is a wiring bug (the middleware is not on this route).
      if (!input) throw new Error('validate() middleware did not run for this route');
      return input;
    },
  });
}
