import { ensureSharedInfrastructure } from './infra';

// Whatever happened in the files, the machine's Redis and RabbitMQ are left running.
export default async function globalTeardown(): Promise<void> {
  await ensureSharedInfrastructure();
}
