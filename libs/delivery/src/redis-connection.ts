import { Cluster, Redis } from 'ioredis';
import type { ClusterOptions, RedisOptions } from 'ioredis';

export type RedisRole = 'worker' | 'ingest';

/**
 * What REDIS_URL names:
 *   redis[s]://[user:pass@]host[:6379][/db]                                   one Redis
 *   redis[s]+sentinel://[user:pass@]host[:26379][,host…]/master[/db][?sentinel_username=…&sentinel_password=…]
 *   redis[s]+cluster://[user:pass@]host[:6379][,host…]                        Redis Cluster seed nodes
 * The Sentinel form is the one redis-sentinel-url, redisvl and Prefect/docket read; the Cluster
 * form mirrors it. `user:pass` is the data nodes' ACL user; Sentinels often have their own.
 */
export type RedisEndpoint =
  | { kind: 'standalone'; tls: boolean; host: string; port: number; username?: string; password?: string; db: number }
  | {
      kind: 'sentinel';
      tls: boolean;
      sentinels: Array<{ host: string; port: number }>;
      masterName: string;
      username?: string;
      password?: string;
      sentinelUsername?: string;
      sentinelPassword?: string;
      db: number;
    }
  | { kind: 'cluster'; tls: boolean; nodes: Array<{ host: string; port: number }>; username?: string; password?: string };

const MULTI_HOST = /^(rediss?)\+(sentinel|cluster):\/\/(.*)$/i;

export function parseRedisUrl(url: string): RedisEndpoint {
  const multi = MULTI_HOST.exec(url);
  if (multi) return parseMultiHost(multi[1].toLowerCase() === 'rediss', multi[2].toLowerCase() as 'sentinel' | 'cluster', multi[3], url);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`REDIS_URL is not a URL (${redactRedisUrl(url)})`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new Error(`REDIS_URL must start with redis://, rediss://, redis+sentinel://, rediss+sentinel://, redis+cluster:// or rediss+cluster:// (got ${u.protocol}//)`);
  }
  return {
    kind: 'standalone',
    tls: u.protocol === 'rediss:',
    host: u.hostname || '127.0.0.1',
    port: Number(u.port || 6379),
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? dbNumber(u.pathname.slice(1), url) : 0,
  };
}

// WHATWG URL refuses a host list (the comma-separated `host:port`s), so these are split by hand.
function parseMultiHost(tls: boolean, kind: 'sentinel' | 'cluster', rest: string, url: string): RedisEndpoint {
  const queryAt = rest.indexOf('?');
  const query = new URLSearchParams(queryAt >= 0 ? rest.slice(queryAt + 1) : '');
  const beforeQuery = queryAt >= 0 ? rest.slice(0, queryAt) : rest;
  const slash = beforeQuery.indexOf('/');
  const authority = slash >= 0 ? beforeQuery.slice(0, slash) : beforeQuery;
  const path = slash >= 0 ? beforeQuery.slice(slash + 1) : '';
  const at = authority.lastIndexOf('@');
  const userinfo = at >= 0 ? authority.slice(0, at) : '';
  const colon = userinfo.indexOf(':');
  const username = decodeURIComponent(colon >= 0 ? userinfo.slice(0, colon) : userinfo) || undefined;
  const password = colon >= 0 ? decodeURIComponent(userinfo.slice(colon + 1)) || undefined : undefined;
  const defaultPort = kind === 'sentinel' ? 26379 : 6379;
  const hosts = (at >= 0 ? authority.slice(at + 1) : authority)
    .split(',')
    .filter((h) => h !== '')
    .map((h) => hostPort(h, defaultPort, url));
  if (!hosts.length) throw new Error(`REDIS_URL names no ${kind === 'sentinel' ? 'Sentinel' : 'Cluster node'} (${redactRedisUrl(url)})`);

  const allowed = kind === 'sentinel' ? ['sentinel_username', 'sentinel_password'] : [];
  for (const name of query.keys()) {
    if (!allowed.includes(name)) throw new Error(`REDIS_URL: unknown option "${name}"${allowed.length ? ` (known: ${allowed.join(', ')})` : ''}`);
  }
  const segments = path.split('/').filter((s) => s !== '');
  if (kind === 'cluster') {
    // Cluster has database 0 only; accepting another would silently ignore it.
    if (segments.length > 1 || (segments.length === 1 && segments[0] !== '0')) {
      throw new Error(`REDIS_URL: a Redis Cluster has only database 0 (${redactRedisUrl(url)})`);
    }
    return { kind, tls, nodes: hosts, username, password };
  }
  if (segments.length < 1 || segments.length > 2) {
    throw new Error(`REDIS_URL: a Sentinel URL names the master after the hosts, as in redis+sentinel://host:26379/mymaster[/db] (${redactRedisUrl(url)})`);
  }
  return {
    kind,
    tls,
    sentinels: hosts,
    masterName: decodeURIComponent(segments[0]),
    username,
    password,
    sentinelUsername: query.get('sentinel_username') || undefined,
    sentinelPassword: query.get('sentinel_password') || undefined,
    db: segments[1] !== undefined ? dbNumber(segments[1], url) : 0,
  };
}

function hostPort(text: string, defaultPort: number, url: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d+))?$/.exec(text);
  if (!m) throw new Error(`REDIS_URL: "${text}" is not host[:port] (${redactRedisUrl(url)})`);
  return { host: m[1] ?? m[2], port: m[3] ? Number(m[3]) : defaultPort };
}

function dbNumber(text: string, url: string): number {
  if (!/^\d+$/.test(text)) throw new Error(`REDIS_URL: database "${text}" is not a number (${redactRedisUrl(url)})`);
  return Number(text);
}

// Reconnect quickly but without hammering a Redis that is down.
const backoff = (times: number) => Math.min(200 * times, 2_000);

/**
 * Workers wait for Redis through outages (BullMQ requires maxRetriesPerRequest: null);
 * ingest fails fast so it can answer 503 and Alertmanager retries later. Both hold for every
 * topology: during a Sentinel failover or a Cluster slot move ingest answers 503, workers wait.
 */
function roleOptions(role: RedisRole): RedisOptions {
  return role === 'worker' ? { maxRetriesPerRequest: null } : { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 2_000 };
}

/** ioredis options for one Redis or a Sentinel group (a Cluster needs `createRedisClient`). */
export function redisOptions(url: string, role: RedisRole): RedisOptions {
  const endpoint = parseRedisUrl(url);
  const common: RedisOptions = {
    username: endpoint.username,
    password: endpoint.password,
    connectTimeout: 5_000,
    retryStrategy: backoff,
    ...roleOptions(role),
  };
  switch (endpoint.kind) {
    case 'standalone':
      return { ...common, host: endpoint.host, port: endpoint.port, db: endpoint.db, tls: endpoint.tls ? {} : undefined };
    case 'sentinel':
      return {
        ...common,
        sentinels: endpoint.sentinels,
        name: endpoint.masterName,
        db: endpoint.db,
        sentinelUsername: endpoint.sentinelUsername,
        sentinelPassword: endpoint.sentinelPassword,
        // Not ioredis's failoverDetector: its disconnect on +switch-master, arriving while the client
        // is still reconnecting to the dead primary, ends the client for good ("Connection is
        // closed" forever, seen in test/e2e/redis-sentinel). A dead primary closes the connection
        // anyway, and every reconnect asks the Sentinels where the primary is now.
        sentinelRetryStrategy: backoff,
        // A demoted primary that comes back answers writes with READONLY until we reconnect,
        // and reconnecting asks the Sentinels for the new primary.
        reconnectOnError: (error) => error.message.startsWith('READONLY'),
        ...(endpoint.tls ? { tls: {}, sentinelTLS: {}, enableTLSForSentinelMode: true } : {}),
      };
    case 'cluster':
      throw new Error('REDIS_URL names a Redis Cluster: connect with createRedisClient, not plain Redis options');
  }
}

/** ioredis options for a Cluster's seed nodes. */
export function clusterOptions(url: string, role: RedisRole): { nodes: Array<{ host: string; port: number }>; options: ClusterOptions } {
  const endpoint = parseRedisUrl(url);
  if (endpoint.kind !== 'cluster') throw new Error('REDIS_URL does not name a Redis Cluster');
  const { enableOfflineQueue, ...perNode } = roleOptions(role);
  return {
    nodes: endpoint.nodes,
    options: {
      // Per node; the node connections' offline queues and reconnects are the Cluster's own
      // business (it sends to a node before that node's connection is up), so those stay out.
      redisOptions: { username: endpoint.username, password: endpoint.password, connectTimeout: 5_000, tls: endpoint.tls ? {} : undefined, ...perNode },
      enableOfflineQueue: enableOfflineQueue ?? true,
      clusterRetryStrategy: backoff,
    },
  };
}

/** A client of what the URL names: a `Redis` (one server or through Sentinel) or a `Cluster`. */
export function createRedisClient(url: string, role: RedisRole): Redis | Cluster {
  if (parseRedisUrl(url).kind !== 'cluster') return new Redis(redisOptions(url, role));
  const { nodes, options } = clusterOptions(url, role);
  return new Cluster(nodes, options);
}

/**
 * The hash tag Redis Cluster hashes keys starting with `prefix` by: the text between the first
 * `{` and the first `}` after it, when not empty. Undefined when the prefix has none.
 */
export function hashTagOf(prefix: string): string | undefined {
  const open = prefix.indexOf('{');
  if (open < 0) return undefined;
  const close = prefix.indexOf('}', open + 1);
  return close > open + 1 ? prefix.slice(open + 1, close) : undefined;
}

/**
 * BullMQ's `connection` for the URL. BullMQ builds a standalone client from options itself, but
 * takes a Cluster only as a ready instance, so for a Cluster each call makes a new one (BullMQ
 * leaves closing a given instance to its owner). On a Cluster every BullMQ script and every
 * relay script touches several keys at once, which Redis allows only within one hash slot: a
 * prefix without a hash tag would start and then fail every job with CROSSSLOT, so it stops here.
 */
export function bullConnection(url: string, role: RedisRole, prefix: string): RedisOptions | Cluster {
  if (parseRedisUrl(url).kind !== 'cluster') return redisOptions(url, role);
  if (!hashTagOf(prefix)) {
    throw new Error(
      `REDIS_URL names a Redis Cluster, but QUEUE_PREFIX "${prefix}" has no hash tag: wrap it in braces (e.g. "{${prefix}}", the default is "{alert-relay}") so every key of the relay is in one slot`,
    );
  }
  return createRedisClient(url, role) as Cluster;
}

/** The URL with its passwords (data nodes' and Sentinels') replaced, for logs. */
export function redactRedisUrl(url: string): string {
  const schemeEnd = url.indexOf('://');
  if (schemeEnd < 0) return '(unparseable URL)';
  const rest = url.slice(schemeEnd + 3);
  const queryAt = rest.indexOf('?');
  const beforeQuery = queryAt >= 0 ? rest.slice(0, queryAt) : rest;
  const slash = beforeQuery.indexOf('/');
  const authority = slash >= 0 ? beforeQuery.slice(0, slash) : beforeQuery;
  const at = authority.lastIndexOf('@');
  let redactedAuthority = authority;
  if (at >= 0) {
    const userinfo = authority.slice(0, at);
    const colon = userinfo.indexOf(':');
    if (colon >= 0 && colon < userinfo.length - 1) redactedAuthority = `${userinfo.slice(0, colon)}:***${authority.slice(at)}`;
  }
  let query = '';
  if (queryAt >= 0) {
    const params = new URLSearchParams(rest.slice(queryAt + 1));
    for (const name of [...params.keys()]) if (/password|secret|token/i.test(name)) params.set(name, '***');
    query = `?${params.toString().replace(/%2A/g, '*')}`;
  }
  return `${url.slice(0, schemeEnd + 3)}${redactedAuthority}${slash >= 0 ? beforeQuery.slice(slash) : ''}${query}`;
}
