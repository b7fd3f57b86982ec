export { waitFor, type WaitForOptions } from './wait-for';
export { testJwtConfig, createTestUser, type TestUser } from './tokens';
export { uniqueName } from './names';
export { captureLogger, silentLogger, type CapturedLogger } from './logger';
export { probeQueue, type QueueProbe, type ProbedMessage } from './queue-probe';
