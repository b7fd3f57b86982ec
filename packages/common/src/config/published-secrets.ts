/**
 * Secret values printed in this repository (.env.example, docs, older compose defaults). Anyone can read them,
 * so a production process refuses them (scripts/test checks this list against the files that print secrets).
 * `guest` is RabbitMQ's built-in account.
 */
export const PUBLISHED_SECRETS: readonly string[] = [
  'dev-only-jwt-secret-change-me-please-0123456789',
  'guest',
  'social-dev-password',
];
