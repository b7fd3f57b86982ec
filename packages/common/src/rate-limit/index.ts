export { ResilientRedisStore } from './resilient-redis-store';
export { redisRateLimit, clientIp, type RedisRateLimitOptions } from './redis-rate-limit';
export { pairedRedisLimits, type PairedRedisLimitsOptions } from './paired-redis-limits';
export { turnBatchedCounts, type PairCounts } from './turn-batched-counts';
