export {
  startInMemoryMongo,
  IN_MEMORY_BANNER,
  type InMemoryMongo,
  type InMemoryMongoOptions,
} from './server';
export {
  startMongo,
  externalDatabase,
  withDatabase,
  describeMongoBackend,
  MONGO_REPORTED_ENV,
  type StartMongoOptions,
  type TestMongo,
  type MongoBackend,
} from './start-mongo';
