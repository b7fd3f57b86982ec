import { MongoClient, type Collection, type Db } from 'mongodb';
import type { RunningStack } from '../../scripts/stack/start-stack';

/** search-service's own collection, read directly to know when posts became searchable. */
export async function searchPostsCollection(
  stack: RunningStack,
): Promise<{ searchPosts: Collection; db: Db; close: () => Promise<void> }> {
  const mongo = new MongoClient(stack.env['search-service'].MONGO_URI as string);
  await mongo.connect();
  const db = mongo.db();
  return { searchPosts: db.collection('search_posts'), db, close: () => mongo.close() };
}
