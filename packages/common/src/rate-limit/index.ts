export { ResilientRedisStore } from './resilient-redis-store';
export { redisRateLimit, clientIp, type RedisRateLimitOptions } from './redis-rate-limit';
