import { reachable } from './processes';

const START_COMMANDS = {
  redis:
    'redis-server --daemonize yes --port 6379 --save "" --appendonly no   (or: docker compose up -d redis)',
  rabbitmq: 'rabbitmq-server -detached   (or: docker compose up -d rabbitmq)',
};

/** The problems, each with the command that fixes it; empty when Redis and RabbitMQ both answer. */
export async function checkInfrastructure(redisUrl: string, rabbitUrl: string): Promise<string[]> {
  const redis = new URL(redisUrl);
  const rabbit = new URL(rabbitUrl);
  const [redisUp, rabbitUp] = await Promise.all([
    reachable(redis.hostname, Number(redis.port || 6379)),
    reachable(rabbit.hostname, Number(rabbit.port || 5672)),
  ]);
  return [
    ...(redisUp ? [] : [`Redis is not reachable at ${redis.host}. Start it: ${START_COMMANDS.redis}`]),
    ...(rabbitUp
      ? []
      : [`RabbitMQ is not reachable at ${rabbit.host}. Start it: ${START_COMMANDS.rabbitmq}`]),
  ];
}
