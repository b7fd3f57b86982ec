export const SECRET_KEY = /pass(word)?|token|authorization|secret|cookie|api[-_]?key|signature/i;
export const REDACTED = '[REDACTED]';

/** Deep copy of a log payload with secret-looking fields replaced; errors become plain objects. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return serializeError(value, depth);
  if (value instanceof Date) return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) ? REDACTED : redact(v, depth + 1);
  }
  return out;
}

function serializeError(err: Error, depth: number): Record<string, unknown> {
  const extra = redact({ ...err }, depth + 1) as Record<string, unknown>;
  const cause = err.cause === undefined ? {} : { cause: redact(err.cause, depth + 1) };
  return { name: err.name, message: err.message, ...extra, ...cause, stack: err.stack };
}
