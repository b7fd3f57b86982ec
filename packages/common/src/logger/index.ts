export { createLogger, createServiceLogger, type Logger, type LoggerOptions } from './create-logger';
export {
  runWithContext,
  currentContext,
  outsideContext,
  updateContext,
  type RequestContext,
} from './request-context';
export { redact, REDACTED } from './redact';
