/** The variables that point a stack at a real MongoDB instead of the in-memory test server. */
export type MongoUriVariable = 'MONGO_TEST_URI' | 'MONGO_URI';

export interface ExternalMongo {
  /** The server's connection string; each service gets its own database on it (see stackEnvironment). */
  uri: string;
  /** Where it came from, for the line that reports it. */
  from: MongoUriVariable | 'mongoBaseUri';
}

/**
 * The external MongoDB named by the first of `variables` that is set, the rule the unit suites follow for
 * MONGO_TEST_URI; undefined when none is, and the stack starts the in-memory server instead.
 */
export function externalMongo(
  env: Record<string, string | undefined>,
  variables: readonly MongoUriVariable[],
): ExternalMongo | undefined {
  for (const from of variables) {
    const uri = env[from]?.trim();
    if (uri) return { uri, from };
  }
  return undefined;
}
