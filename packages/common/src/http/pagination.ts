import Joi from 'joi';

export interface PageQuery {
  page: number;
  limit: number;
}

// The event contract's rule (its own file, so the HTTP kit does not load the broker client).
export { objectId } from '../events/contract';

/** `?page&limit` with bounds, so no list query is ever unbounded. */
export const pagination = (maxLimit = 50, defaultLimit = 10) => ({
  page: Joi.number().integer().min(1).max(100_000).default(1),
  limit: Joi.number().integer().min(1).max(maxLimit).default(defaultLimit),
});

/** The skip for a page and the page count for a total (0 pages when there is nothing). */
export function paginate({ page, limit }: PageQuery, total?: number): { skip: number; totalPages: number } {
  return { skip: (page - 1) * limit, totalPages: total === undefined ? 0 : Math.ceil(total / limit) };
}
