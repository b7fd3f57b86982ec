export {
  startInMemoryMongo,
  IN_MEMORY_BANNER,
  type InMemoryMongo,
  type InMemoryMongoOptions,
} from './server';
export {
  startMongo,
  withDatabase,
  type StartMongoOptions,
  type TestMongo,
  type MongoBackend,
} from './start-mongo';
