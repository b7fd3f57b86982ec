// media-service's own-media lookup (GET /api/media?ids=), as the caller: post-service checks attachments with it,
// identity-service avatars.
import Joi from 'joi';
import { ServiceUnavailableError, UpstreamError } from '../http';
import { counter, type Registry } from '../metrics';

/** What a post keeps of each attached media: enough for any reader to show it without media-service. */
export interface MediaRef {
  id: string;
  url: string;
  mimeType: string;
}

export interface MediaClient {
  /**
   * The caller's own media among `ids` (at most 10), asked of media-service as the caller, in one request.
   * Ids that do not exist or belong to someone else are simply missing from the answer. Throws 503 when
   * media-service cannot answer (refused, timeout, 5xx), 502 when its answer makes no sense.
   */
  findOwnMedia(query: { ids: string[]; accessToken: string; requestId?: string }): Promise<MediaRef[]>;
}

export interface MediaClientOptions {
  /** media-service itself (`/api/media`), not the gateway. */
  baseUrl: string;
  /** For the whole call, body included. */
  timeoutMs: number;
  registry: Registry;
}

const UNAVAILABLE = 'Media service unavailable, cannot attach media right now; try again later';

const lookupAnswer = Joi.object({
  media: Joi.array()
    .items(
      Joi.object({
        id: Joi.string()
          .pattern(/^[0-9a-f]{24}$/)
          .required(),
        url: Joi.string()
          .uri({ scheme: ['http', 'https'] })
          .required(),
        mimeType: Joi.string().required(),
      }).unknown(true),
    )
    .required(),
}).unknown(true);

const isTimeout = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'TimeoutError';

export function createMediaClient(options: MediaClientOptions): MediaClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  const calls = counter(options.registry, {
    name: 'media_lookups_total',
    help: 'Media lookups made to media-service at create time, by outcome (ok, unavailable, unexpected)',
    labelNames: ['outcome'] as const,
  });

  const unavailable = (cause: Error): ServiceUnavailableError => {
    calls.inc({ outcome: 'unavailable' });
    return new ServiceUnavailableError(UNAVAILABLE, { cause });
  };
  const unexpected = (cause: Error): UpstreamError => {
    calls.inc({ outcome: 'unexpected' });
    return new UpstreamError('Media service answered unexpectedly', { cause });
  };

  /** Status and raw body; any failure to get both in time means media-service is unavailable. */
  async function get(
    url: string,
    headers: Record<string, string>,
  ): Promise<{ status: number; text: string }> {
    try {
      const res = await fetch(url, { headers, signal: AbortSignal.timeout(options.timeoutMs) });
      return { status: res.status, text: await res.text() };
    } catch (err) {
      throw unavailable(
        isTimeout(err)
          ? new Error(`media-service gave no answer within ${options.timeoutMs} ms`, { cause: err })
          : new Error('media-service unreachable', { cause: err }),
      );
    }
  }

  return {
    async findOwnMedia({ ids, accessToken, requestId }) {
      const query = new URLSearchParams({ ids: ids.join(','), limit: String(ids.length) });
      const reply = await get(`${base}/api/media?${query}`, {
        accept: 'application/json',
        authorization: `Bearer ${accessToken}`,
        ...(requestId ? { 'x-request-id': requestId } : {}),
      });
      if (reply.status >= 500) throw unavailable(new Error(`media-service answered ${reply.status}`));
      if (reply.status !== 200) throw unexpected(new Error(`media-service answered ${reply.status}`));
      let body: unknown;
      try {
        body = JSON.parse(reply.text);
      } catch (err) {
        throw unexpected(new Error('media-service answered with malformed JSON', { cause: err }));
      }
      const { value, error } = lookupAnswer.validate(body);
      if (error) throw unexpected(new Error(`media-service answered an unknown shape: ${error.message}`));
      calls.inc({ outcome: 'ok' });
      return (value as { media: MediaRef[] }).media.map(({ id, url, mimeType }) => ({ id, url, mimeType }));
    },
  };
}
