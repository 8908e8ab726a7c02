export * from './payloads';
export * from './redis-server';
export * from './relay-harness';
