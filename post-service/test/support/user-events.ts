import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import { EventTypes, newIntegrationEvent, type OutgoingEvent } from '@social/common/events';
import { waitFor, type TestUser } from '@social/testkit/helpers';
import type { PostView } from '../../src/domain/present-posts';
import type { PostTestEnv } from './post-app';

/** user.followed / user.unfollowed as identity-service publishes them; `at` defaults to now. */
export const followEvent = (
  follower: { id: string },
  followee: { id: string },
  o: { active?: boolean; at?: Date } = {},
): OutgoingEvent =>
  newIntegrationEvent(
    o.active === false ? EventTypes.UserUnfollowed : EventTypes.UserFollowed,
    { followerId: follower.id, followeeId: followee.id, at: (o.at ?? new Date()).toISOString() },
    { correlationId: randomUUID() },
  );

/** user.updated (or user.registered) with the profile a test names, occurring at `occurredAt` (default now). */
export const profileEvent = (
  user: { id: string; username: string },
  o: { displayName?: string; username?: string; occurredAt?: Date; registered?: boolean } = {},
): OutgoingEvent => {
  const profile = {
    userId: user.id,
    username: o.username ?? user.username,
    displayName: o.displayName ?? user.username,
    avatarMediaId: null,
  };
  const event = o.registered
    ? newIntegrationEvent(EventTypes.UserRegistered, { ...profile, createdAt: new Date().toISOString() })
    : newIntegrationEvent(EventTypes.UserUpdated, profile);
  return { ...event, occurredAt: (o.occurredAt ?? new Date()).toISOString() };
};

export const userDeletedEvent = (user: { id: string }): OutgoingEvent =>
  newIntegrationEvent(EventTypes.UserDeleted, { userId: user.id }, { correlationId: randomUUID() });

/** How many messages of `type` a queue of this env handled with `outcome`, from its /metrics counter. */
export async function consumedCount(
  env: Pick<PostTestEnv, 'metrics'>,
  queue: string,
  type: string,
  outcome: 'ok' | 'retry' | 'dead' = 'ok',
): Promise<number> {
  const metric = env.metrics.registry.getSingleMetric('events_consumed_total');
  if (!metric) return 0;
  const { values } = await metric.get();
  return (
    values.find((v) => v.labels.queue === queue && v.labels.type === type && v.labels.outcome === outcome)
      ?.value ?? 0
  );
}

/** Publishes events one after another and waits until this env's consumers handled all of them. */
export async function deliver(env: PostTestEnv, queue: string, ...events: OutgoingEvent[]): Promise<void> {
  const before = new Map<string, number>();
  for (const e of events) before.set(e.type, await consumedCount(env, queue, e.type));
  for (const e of events) await env.bus.publish(e);
  await waitFor(
    async () => {
      for (const [type, count] of before) {
        const expected = count + events.filter((e) => e.type === type).length;
        if ((await consumedCount(env, queue, type)) < expected) return false;
      }
      return true;
    },
    { description: `${events.map((e) => e.type).join(', ')} handled on ${queue}` },
  );
}

/** `follower` follows `followee`, as post-service learns it: through the event, handled. */
export const follow = (env: PostTestEnv, follower: TestUser, followee: TestUser): Promise<void> =>
  deliver(env, env.queues.userProjection, followEvent(follower, followee));

export const unfollow = (env: PostTestEnv, follower: TestUser, followee: TestUser): Promise<void> =>
  deliver(env, env.queues.userProjection, followEvent(follower, followee, { active: false }));

export interface ListReply {
  status: number;
  body: { success: boolean; posts: PostView[]; nextCursor: string | null; message?: string };
}

export const getFeed = async (app: Express, user: TestUser, query = ''): Promise<ListReply> =>
  request(app).get(`/api/posts/feed${query}`).set(user.auth);

export const getByUser = async (
  app: Express,
  user: TestUser,
  authorId: string,
  query = '',
): Promise<ListReply> => request(app).get(`/api/posts/by-user/${authorId}${query}`).set(user.auth);

export const feedIds = async (app: Express, user: TestUser, query = ''): Promise<string[]> =>
  (await getFeed(app, user, query)).body.posts.map((p) => p.id);

/** Every page of a list, following nextCursor; the ids in order. */
export async function allPages(
  page: (query: string) => Promise<ListReply>,
  limit: number,
  from: string | null = null,
): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor = from;
  do {
    const query = `?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await page(query);
    if (res.status !== 200) throw new Error(`page ${query}: ${res.status} ${JSON.stringify(res.body)}`);
    pages.push(res.body.posts.map((p) => p.id));
    cursor = res.body.nextCursor;
  } while (cursor && pages.length < 100);
  return pages;
}
