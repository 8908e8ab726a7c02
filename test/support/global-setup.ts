import { startRedisServer } from './redis-server';

// Every test file shares one Redis unless REDIS_URL names one; test files isolate themselves
// with their own BullMQ prefix (see uniquePrefix), so no test depends on another's state.
export default async function globalSetup(): Promise<void> {
  // Nest's start-up chatter would bury test output; LOG_LEVEL=debug brings it back.
  process.env.LOG_LEVEL ??= 'error';
  if (process.env.REDIS_URL) return;
  const server = await startRedisServer();
  process.env.REDIS_URL = server.url;
  (globalThis as any).__RELAY_TEST_REDIS__ = server;
}
