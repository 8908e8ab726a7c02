import type { RedisOptions } from 'ioredis';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * Workers wait for Redis through outages (BullMQ requires maxRetriesPerRequest: null);
 * ingest fails fast so it can answer 503 and Alertmanager retries later.
 */
export function redisOptions(url: string, role: 'worker' | 'ingest'): RedisOptions {
  const u = new URL(url);
  const base: RedisOptions = {
    host: u.hostname || '127.0.0.1',
    port: Number(u.port || 6379),
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    connectTimeout: 5_000,
    // Reconnect quickly but without hammering a Redis that is down.
    retryStrategy: (times) => Math.min(200 * times, 2_000),
  };
  return role === 'worker'
    ? { ...base, maxRetriesPerRequest: null }
    : { ...base, enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 2_000 };
}
