import { MongoClient, type Collection } from 'mongodb';
import type { RunningStack } from '../../scripts/stack/start-stack';

/** search-service's own collection, read directly to know when posts became searchable. */
export async function searchPostsCollection(
  stack: RunningStack,
): Promise<{ searchPosts: Collection; close: () => Promise<void> }> {
  const mongo = new MongoClient(stack.env['search-service'].MONGO_URI as string);
  await mongo.connect();
  return { searchPosts: mongo.db().collection('search_posts'), close: () => mongo.close() };
}
