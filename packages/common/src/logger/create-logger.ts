import winston from 'winston';
import type { BaseConfig } from '../config';
import { currentContext } from './request-context';
import { BatchedConsole } from './batched-console';
import { redact, SECRET_KEY } from './redact';

export type Logger = winston.Logger;

export interface LoggerOptions {
  service: string;
  level?: string;
  /** JSON lines for machines (production); readable lines for people otherwise. */
  json?: boolean;
  /** ANSI colours in readable lines: only for a terminal, never into a file or a pipe (default: stdout is a TTY). */
  colors?: boolean;
  /** Silence output (tests that do not assert on logs). */
  silent?: boolean;
  /** Extra transports, e.g. a capture stream in tests. */
  transports?: winston.transport[];
}

const withContext = winston.format((info) => {
  const ctx = currentContext();
  if (ctx?.requestId && info.requestId === undefined) info.requestId = ctx.requestId;
  if (ctx?.userId && info.userId === undefined) info.userId = ctx.userId;
  return info;
});

// Most lines (the access log above all) carry only flat, harmless fields: check that before copying anything.
const needsRedaction = (info: Record<string, unknown>): boolean => {
  for (const key of Object.keys(info)) {
    if (key === 'level' || key === 'message') continue;
    const value = info[key];
    if ((typeof value === 'object' && value !== null) || SECRET_KEY.test(key)) return true;
  }
  return false;
};

const redactSecrets = winston.format((info) => {
  if (!needsRedaction(info)) return info;
  const clean = redact({ ...info }) as Record<string, unknown>;
  for (const key of Object.keys(clean)) if (key !== 'level' && key !== 'message') info[key] = clean[key];
  return info;
});

const MESSAGE = Symbol.for('message');
const logformJson = winston.format.json();

// Values JSON.stringify writes exactly as logform's json does (safe-stable-stringify): no object, bigint, function.
const isPlain = (value: unknown): boolean =>
  value === null ||
  typeof value === 'string' ||
  typeof value === 'number' ||
  typeof value === 'boolean' ||
  value === undefined;

// Keys an object would not keep in insertion order (integer-like ones go first) or would not keep at all.
const isUnorderedKey = (key: string): boolean => key === '__proto__' || (key >= '0' && key <= '9~');

/**
 * logform's json format, the same bytes: keys sorted, as its deterministic safe-stable-stringify writes them. That
 * one builds a new serializer for every line and calls a replacer for every field; a line of plain values (the
 * access log's, most lines) is copied in key order and written by JSON.stringify's fast path instead. Anything
 * else goes through logform.
 */
const json = winston.format((info) => {
  const keys = Object.keys(info).sort();
  const sorted: Record<string, unknown> = {};
  for (const key of keys) {
    const value = info[key];
    if (!isPlain(value) || isUnorderedKey(key)) return logformJson.transform(info, logformJson.options);
    sorted[key] = value;
  }
  info[MESSAGE] = JSON.stringify(sorted);
  return info;
});

const readable = winston.format.printf(({ timestamp, level, message, service, requestId, ...rest }) => {
  const id = requestId ? ` [${String(requestId)}]` : '';
  const fields = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
  return `${String(timestamp)} ${level} ${String(service)}${id}: ${String(message)}${fields}`;
});

export function createLogger(options: LoggerOptions): Logger {
  return winston.createLogger({
    level: options.level ?? 'info',
    silent: options.silent,
    defaultMeta: { service: options.service },
    format: winston.format.combine(
      withContext(),
      redactSecrets(),
      winston.format.timestamp(),
      options.json
        ? json()
        : (options.colors ?? process.stdout.isTTY === true)
          ? winston.format.combine(winston.format.colorize(), readable)
          : readable,
    ),
    transports: [new BatchedConsole({ stderrLevels: ['error'] }), ...(options.transports ?? [])],
  });
}

/** The logger of a running service: its level from config, JSON lines in production. */
export const createServiceLogger = (
  service: string,
  config: Pick<BaseConfig, 'LOG_LEVEL' | 'NODE_ENV'>,
): Logger => createLogger({ service, level: config.LOG_LEVEL, json: config.NODE_ENV === 'production' });
