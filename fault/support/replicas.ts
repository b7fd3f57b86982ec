import fs from 'node:fs';
import path from 'node:path';
import { mongoose } from '@social/common/mongo';
import type { ProbedMessage } from '@social/testkit/helpers';
import type { RunningStack } from '../../scripts/stack/start-stack';
import { call, type Reply } from './stack';

/** A gateway answer that says "this upstream is gone", or no answer at all: another gateway may do better. */
const unavailable = (res: Reply<unknown> | Error): boolean =>
  res instanceof Error || res.status === 502 || res.status === 503 || res.status === 504;

interface Attempted<T> {
  /** The last answer that was not "unavailable"; undefined when every attempt was. */
  reply?: Reply<T>;
  /** Attempts answered "unavailable" (or not at all) before it. */
  failed: number;
}

/**
 * One request as a client with two gateway addresses sends it: when the upstream behind one gateway is down,
 * it tries the other. A failed attempt may still have taken effect (the process died after the write).
 */
async function withFailover<T>(
  gateways: readonly string[],
  first: number,
  send: (gatewayUrl: string) => Promise<Reply<T>>,
  attempts = 6,
): Promise<Attempted<T>> {
  let failed = 0;
  for (let i = 0; i < attempts; i++) {
    const res = await send(gateways[(first + i) % gateways.length] as string).catch((err: Error) => err);
    if (!unavailable(res)) return { reply: res as Reply<T>, failed };
    failed++;
  }
  return { failed };
}

// A real 1x1 PNG: media-service decides the type from these bytes.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

export interface WrittenPost {
  postId: string;
  mediaId: string;
  /** The media file's name in MEDIA_DIR. */
  fileKey: string;
}

export interface ReplicaLoad {
  /** Posts answered 201, by id. */
  created: Map<string, WrittenPost>;
  /** Posts whose delete was answered 200 (or 404 after an attempt that died: that one deleted it). */
  deleted: Set<string>;
  /** Creates with a failed attempt: each may have made a post the client never heard of. */
  uncertainCreates: number;
  /** Requests that failed through both gateways, or answered something unexpected. */
  failures: string[];
  /** Created and not deleted, as far as the client knows. */
  remaining(): Set<string>;
  stop(): Promise<void>;
}

/**
 * Writers spread over every gateway, each in a loop: upload a picture, create a post with it, and delete every
 * third post through another gateway than the one that created it, until stopped.
 */
export function replicaLoad(
  gateways: readonly string[],
  token: string,
  word: string,
  writers = 6,
): ReplicaLoad {
  const created = new Map<string, WrittenPost>();
  const deleted = new Set<string>();
  const failures: string[] = [];
  let uncertainCreates = 0;
  let running = true;
  let n = 0;

  const writePost = async (gateway: number): Promise<void> => {
    const i = n++;
    const form = (): FormData => {
      const body = new FormData();
      body.append('file', new Blob([PNG]), 'dot.png');
      return body;
    };
    const upload = await withFailover<{ mediaId: string; url: string }>(gateways, gateway, (gw) =>
      call(gw, 'POST', '/v1/media/upload', { token, raw: { body: form() } }),
    );
    if (upload.reply?.status !== 201) {
      failures.push(`upload: ${upload.reply?.status ?? 'unavailable'}`);
      return;
    }
    const { mediaId, url } = upload.reply.body;
    const create = await withFailover<{ post: { id: string } }>(gateways, gateway, (gw) =>
      call(gw, 'POST', '/v1/posts/create-post', {
        token,
        json: { content: `${word} post ${i}`, mediaIds: [mediaId] },
      }),
    );
    if (create.failed > 0) uncertainCreates++;
    if (create.reply?.status !== 201) {
      failures.push(`create: ${create.reply?.status ?? 'unavailable'}`);
      return;
    }
    const postId = create.reply.body.post.id;
    created.set(postId, { postId, mediaId, fileKey: url.slice(url.lastIndexOf('/') + 1) });
    if (i % 3 !== 0) return;
    const del = await withFailover(gateways, gateway + 1, (gw) =>
      call(gw, 'DELETE', `/v1/posts/${postId}`, { token }),
    );
    const status = del.reply?.status;
    if (status === 200 || (status === 404 && del.failed > 0)) deleted.add(postId);
    else failures.push(`delete: ${status ?? 'unavailable'}`);
  };

  const writer = async (w: number): Promise<void> => {
    while (running) await writePost(w % gateways.length);
  };
  const done = Promise.all(Array.from({ length: writers }, (_, w) => writer(w)));
  return {
    created,
    deleted,
    failures,
    get uncertainCreates() {
      return uncertainCreates;
    },
    remaining: () => new Set([...created.keys()].filter((id) => !deleted.has(id))),
    stop: async () => {
      running = false;
      await done;
    },
  };
}

/** What the services stored, read straight from their databases (the ground truth for a run). */
export interface StackDatabases {
  /** Posts whose content holds `word`, with their outbox state. */
  posts(word: string): Promise<
    Array<{
      _id: mongoose.mongo.ObjectId;
      mediaIds: string[];
      deletedAt: Date | null;
      pendingEvents: unknown[];
    }>
  >;
  /** Posts leased right now by the outbox relay of the process with this pid (owner `<host>:<pid>:<random>`). */
  leasesHeldBy(pid: number): Promise<number>;
  /** postId -> number of search documents, for posts whose content holds `word`. */
  searchDocuments(word: string): Promise<Map<string, number>>;
  /** The media records among these ids. */
  media(ids: string[]): Promise<string[]>;
  /** Whether the local media file exists. */
  fileExists(key: string): boolean;
  close(): Promise<void>;
}

export async function openStackDatabases(stack: RunningStack): Promise<StackDatabases> {
  const connect = (name: 'post-service' | 'search-service' | 'media-service') =>
    mongoose.createConnection(stack.env[name].MONGO_URI as string).asPromise();
  const [posts, search, media] = await Promise.all([
    connect('post-service'),
    connect('search-service'),
    connect('media-service'),
  ]);
  const collection = (conn: mongoose.Connection, name: string) => {
    if (!conn.db) throw new Error('not connected');
    return conn.db.collection(name);
  };
  const holding = (word: string) => ({ content: { $regex: word } });
  const mediaDir = stack.env['media-service'].MEDIA_DIR as string;
  return {
    posts: async (word) =>
      (await collection(posts, 'posts')
        .find(holding(word), { projection: { deletedAt: 1, pendingEvents: 1 } })
        .toArray()) as Awaited<ReturnType<StackDatabases['posts']>>,
    leasesHeldBy: (pid) =>
      collection(posts, 'posts').countDocuments({ 'outboxClaim.owner': { $regex: `:${pid}:` } }),
    searchDocuments: async (word) => {
      const docs = await collection(search, 'search_posts')
        .find(holding(word), { projection: { postId: 1 } })
        .toArray();
      const counts = new Map<string, number>();
      for (const d of docs) counts.set(String(d.postId), (counts.get(String(d.postId)) ?? 0) + 1);
      return counts;
    },
    media: async (ids) => {
      const found = await collection(media, 'media')
        .find({ _id: { $in: ids.map((id) => new mongoose.Types.ObjectId(id)) } }, { projection: { _id: 1 } })
        .toArray();
      return found.map((d) => String(d._id));
    },
    fileExists: (key) => fs.existsSync(path.join(mediaDir, key)),
    close: async () => {
      await Promise.all([posts.close(), search.close(), media.close()]);
    },
  };
}

/** Published events per type and post, and how many messages repeated an earlier messageId. */
export function publishedEvents(messages: readonly ProbedMessage[]): {
  created: Set<string>;
  deleted: Set<string>;
  total: number;
  duplicates: number;
} {
  const ids = new Set<string>();
  const created = new Set<string>();
  const deleted = new Set<string>();
  let duplicates = 0;
  for (const m of messages) {
    const id = String(m.properties.messageId);
    if (ids.has(id)) duplicates++;
    ids.add(id);
    const { postId } = (m.body as { data: { postId: string } }).data;
    (m.routingKey === 'post.deleted' ? deleted : created).add(postId);
  }
  return { created, deleted, total: messages.length, duplicates };
}
