export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as any).__RELAY_TEST_REDIS__;
  if (server) await server.stop();
}
