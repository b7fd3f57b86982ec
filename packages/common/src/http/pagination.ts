import Joi from 'joi';

export interface PageQuery {
  page: number;
  limit: number;
}

/**
 * A 24-hex MongoDB id as clients send it. One rule, not `.hex().length(24)`: with `abortEarly: false` those two
 * rules each reported the same message for an id like `zz`.
 */
export const objectId = () =>
  Joi.string()
    .pattern(/^[0-9a-f]{24}$/i)
    .messages({ '*': '{#label} must be a 24-character hex id' });

/** `?page&limit` with bounds, so no list query is ever unbounded. */
export const pagination = (maxLimit = 50, defaultLimit = 10) => ({
  page: Joi.number().integer().min(1).max(100_000).default(1),
  limit: Joi.number().integer().min(1).max(maxLimit).default(defaultLimit),
});

/** The skip for a page and the page count for a total (0 pages when there is nothing). */
export function paginate({ page, limit }: PageQuery, total?: number): { skip: number; totalPages: number } {
  return { skip: (page - 1) * limit, totalPages: total === undefined ? 0 : Math.ceil(total / limit) };
}
