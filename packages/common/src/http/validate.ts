import type { RequestHandler } from 'express';
import type Joi from 'joi';
import { UnsupportedMediaTypeError, ValidationError, type ErrorDetail } from './errors';

export interface RequestSchemas {
  body?: Joi.Schema;
  query?: Joi.Schema;
  params?: Joi.Schema;
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
 * Validates params, query and body in one pass and reports every problem at once. The validated (converted)
 * values replace `req.body`, and land in `res.locals.query` / `res.locals.params`, because Express 5 makes
 * `req.query` read-only.
 */
export function validate(schemas: RequestSchemas): RequestHandler {
  return (req, res, next) => {
    // req.is() is null without a body and false for a body of another type.
    if (schemas.body && req.is('application/json') === false) {
      throw new UnsupportedMediaTypeError('Content-Type must be application/json');
    }
    const details: ErrorDetail[] = [];
    const check = (part: keyof RequestSchemas, input: unknown): unknown => {
      const schema = schemas[part];
      if (!schema) return input;
      const { value, error } = schema.validate(input ?? {}, joiOptions);
      for (const d of error?.details ?? []) {
        details.push({ path: [part, ...d.path].join('.'), reason: d.message });
      }
      return value;
    };
    const params = check('params', req.params);
    const query = check('query', req.query);
    const body = check('body', req.body);
    const protoPath = schemas.body ? protoKeyPath(req.body) : undefined;
    if (protoPath)
      details.push({ path: ['body', ...protoPath].join('.'), reason: '__proto__ is not allowed' });
    if (details.length > 0) throw new ValidationError('Validation failed', details);
    res.locals.params = params;
    res.locals.query = query;
    if (schemas.body) req.body = body;
    next();
  };
}
