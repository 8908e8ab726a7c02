export * from './payloads';
export * from './redis-server';
export * from './relay-harness';
export * from './redis-inspect';
export * from './metrics';
export * from './relay-process';
export * from './failures';
export * from './timing';
