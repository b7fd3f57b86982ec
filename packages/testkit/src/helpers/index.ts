export { waitFor, type WaitForOptions } from './wait-for';
export { testJwtConfig, createTestUser, type TestUser } from './tokens';
export { newObjectId, uniqueName } from './names';
export { buildRegisterInput, type RegisterInput } from './accounts';
export { buildPostCreated, buildPostDeleted } from './post-events';
export { captureLogger, silentLogger, type CapturedLogger } from './logger';
export { probeQueue, type QueueProbe, type ProbedMessage } from './queue-probe';
export {
  startMediaServiceStub,
  type MediaServiceStub,
  type StubMedia,
  type StubBehaviour,
  type ReceivedLookup,
} from './media-service-stub';
