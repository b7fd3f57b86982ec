import request from 'supertest';
import type { Express } from 'express';
import type { TestUser } from '@social/testkit/helpers';

export interface SearchResultBody {
  success: boolean;
  results: Array<{ postId: string; userId: string; content: string; createdAt: string; score: number }>;
  page: number;
  limit: number;
}

/** GET /api/search/posts as `user`; returns the supertest response. */
export const searchAs = (app: Express, user: TestUser, query: Record<string, string | number>) =>
  request(app).get('/api/search/posts').query(query).set(user.auth);

/** The postIds a search returns (empty on a non-200), for waitFor conditions. */
export async function searchIds(app: Express, user: TestUser, text: string): Promise<string[]> {
  const res = await searchAs(app, user, { query: text, limit: 50 });
  return res.status === 200 ? (res.body as SearchResultBody).results.map((r) => r.postId) : [];
}
