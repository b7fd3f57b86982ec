import { randomBytes } from 'node:crypto';
import http from 'node:http';
import express from 'express';
import { bearerToken, verifyAccessToken } from '@social/common/auth';
import { closeServer, listen } from '@social/common/lifecycle';
import { testJwtConfig, type TestUser } from './tokens';

export interface StubMedia {
  id: string;
  userId: string;
  url: string;
  mimeType: string;
}

export interface ReceivedLookup {
  path: string;
  query: Record<string, unknown>;
  headers: http.IncomingHttpHeaders;
}

/** How the stub answers lookups: like media-service, with a status and a body of choice, or never. */
export type StubBehaviour = 'media-service' | 'hang' | { status: number; body: unknown };

export interface MediaServiceStub {
  url: string;
  /** Every request received, in order. */
  received: ReceivedLookup[];
  /** A media record owned by `owner`, as media-service would hold it after an upload. */
  add(owner: TestUser, o?: Partial<Omit<StubMedia, 'id' | 'userId'>>): StubMedia;
  answer(behaviour: StubBehaviour): void;
  close(): Promise<void>;
}

/**
 * A stand-in media-service on a real port: `GET /api/media?ids=` verifies the bearer token the way
 * media-service does and answers the caller's own media among the ids, in media-service's shape.
 */
export async function startMediaServiceStub(): Promise<MediaServiceStub> {
  const media = new Map<string, StubMedia>();
  const received: ReceivedLookup[] = [];
  let behaviour: StubBehaviour = 'media-service';

  const app = express();
  app.get('/api/media', (req, res) => {
    received.push({
      path: req.path,
      query: { ...(req.query as Record<string, unknown>) },
      headers: req.headers,
    });
    if (behaviour === 'hang') return;
    if (behaviour !== 'media-service') {
      res.status(behaviour.status).json(behaviour.body);
      return;
    }
    let userId: string;
    try {
      userId = verifyAccessToken(testJwtConfig, bearerToken(req.headers.authorization) ?? '').id;
    } catch {
      res.status(401).json({ success: false, message: 'Invalid access token' });
      return;
    }
    const ids = String(req.query.ids ?? '').split(',');
    const owned = [...media.values()].filter((m) => m.userId === userId && ids.includes(m.id));
    res.json({
      success: true,
      media: owned.map((m) => ({ ...m, size: 70, createdAt: new Date().toISOString() })),
      currentPage: 1,
      totalPages: owned.length > 0 ? 1 : 0,
      totalMedia: owned.length,
    });
  });
  const server = http.createServer(app);
  const port = await listen(server, 0, '127.0.0.1');

  return {
    url: `http://127.0.0.1:${port}`,
    received,
    add(owner, o = {}) {
      const id = randomBytes(12).toString('hex');
      const record = {
        id,
        userId: owner.id,
        url: `http://media.test/v1/media/files/${randomBytes(16).toString('hex')}.png`,
        mimeType: 'image/png',
        ...o,
      };
      media.set(id, record);
      return record;
    },
    answer(next) {
      behaviour = next;
    },
    close: async () => {
      server.closeAllConnections(); // lets a hanging lookup go
      await closeServer(server);
    },
  };
}
