import { Cluster } from 'ioredis';
import { DEFAULT_QUEUE_PREFIX } from './queue-settings';
import { bullConnection, clusterOptions, hashTagOf, parseRedisUrl, redactRedisUrl, redisOptions } from './redis-connection';

describe('REDIS_URL forms', () => {
  it('reads one Redis as before', () => {
    expect(parseRedisUrl('redis://127.0.0.1:6379')).toEqual({ kind: 'standalone', tls: false, host: '127.0.0.1', port: 6379, db: 0 });
    expect(parseRedisUrl('rediss://u%40x:p%3Aw@redis.example:6380/3')).toEqual({
      kind: 'standalone',
      tls: true,
      host: 'redis.example',
      port: 6380,
      username: 'u@x',
      password: 'p:w',
      db: 3,
    });
  });

  it('reads a Sentinel group: sentinels (default port 26379), master name, database, Sentinel credentials', () => {
    expect(parseRedisUrl('redis+sentinel://app:s3cret@s1:26379,s2,[::1]:26380/mymaster/2?sentinel_password=sentpw')).toEqual({
      kind: 'sentinel',
      tls: false,
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
        { host: '::1', port: 26380 },
      ],
      masterName: 'mymaster',
      username: 'app',
      password: 's3cret',
      sentinelPassword: 'sentpw',
      db: 2,
    });
    const options = redisOptions('rediss+sentinel://s1/mymaster', 'worker');
    expect(options).toMatchObject({ name: 'mymaster', sentinels: [{ host: 's1', port: 26379 }], db: 0, tls: {}, sentinelTLS: {}, enableTLSForSentinelMode: true });
  });

  it('reads Redis Cluster seed nodes (default port 6379)', () => {
    expect(parseRedisUrl('redis+cluster://:pw@n1:7000,n2:7001,n3')).toEqual({
      kind: 'cluster',
      tls: false,
      nodes: [
        { host: 'n1', port: 7000 },
        { host: 'n2', port: 7001 },
        { host: 'n3', port: 6379 },
      ],
      password: 'pw',
    });
  });

  it.each([
    ['redis+sentinel://s1:26379', /names the master/],
    ['redis+sentinel://s1:26379/m/x', /not a number/],
    ['redis+sentinel://s1/m?sentinelPassword=x', /unknown option "sentinelPassword"/],
    ['redis+cluster://n1:7000/1', /only database 0/],
    ['redis+cluster://', /names no Cluster node/],
    ['redis+cluster://n1:port', /not host\[:port\]/],
    ['http://redis:6379', /must start with redis:\/\//],
  ])('refuses %s', (url, message) => {
    expect(() => parseRedisUrl(url)).toThrow(message);
  });
});

describe('roles hold for every topology', () => {
  it.each(['redis://h:6379', 'redis+sentinel://s1/mymaster'])('%s: ingest fails fast, workers wait', (url) => {
    expect(redisOptions(url, 'ingest')).toMatchObject({ enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 2_000 });
    const worker = redisOptions(url, 'worker');
    expect(worker.maxRetriesPerRequest).toBeNull();
    expect(worker.enableOfflineQueue).toBeUndefined();
  });

  it('Cluster: ingest has no offline queue at the cluster, workers wait; node connections keep the offline queue the Cluster needs', () => {
    const ingest = clusterOptions('redis+cluster://n1:7000', 'ingest').options;
    expect(ingest.enableOfflineQueue).toBe(false);
    expect(ingest.redisOptions).toMatchObject({ maxRetriesPerRequest: 1, commandTimeout: 2_000 });
    expect(ingest.redisOptions).not.toHaveProperty('enableOfflineQueue');
    const worker = clusterOptions('redis+cluster://n1:7000', 'worker').options;
    expect(worker.enableOfflineQueue).toBe(true);
    expect(worker.redisOptions!.maxRetriesPerRequest).toBeNull();
  });

  it('gives BullMQ options for one Redis or Sentinel, a Cluster instance for a Cluster', () => {
    expect(bullConnection('redis+sentinel://s1/m', 'worker', DEFAULT_QUEUE_PREFIX)).not.toBeInstanceOf(Cluster);
    const cluster = bullConnection('redis+cluster://127.0.0.1:1', 'worker', DEFAULT_QUEUE_PREFIX) as Cluster;
    try {
      expect(cluster).toBeInstanceOf(Cluster);
    } finally {
      cluster.disconnect();
    }
  });

  it('refuses a Cluster with a QUEUE_PREFIX that has no hash tag, before anything connects', () => {
    expect(() => bullConnection('redis+cluster://n1:7000', 'ingest', 'alert-relay')).toThrow(/QUEUE_PREFIX "alert-relay" has no hash tag/);
    expect(() => bullConnection('redis+cluster://n1:7000', 'ingest', '{}relay')).toThrow(/no hash tag/);
  });
});

describe('hashTagOf', () => {
  it.each([
    ['{alert-relay}', 'alert-relay'],
    ['team:{relay}:x', 'relay'],
    ['{}x', undefined],
    ['{open', undefined],
    ['plain', undefined],
  ])('%s → %s', (prefix, tag) => expect(hashTagOf(prefix)).toBe(tag));
});

describe('redactRedisUrl', () => {
  it.each([
    ['redis://127.0.0.1:6379', 'redis://127.0.0.1:6379'],
    ['rediss://user:hunter2@h:6380/1', 'rediss://user:***@h:6380/1'],
    ['redis://:hunter2@h', 'redis://:***@h'],
    ['redis+sentinel://app:hunter2@s1:26379,s2:26379/mymaster/0?sentinel_password=alsosecret', 'redis+sentinel://app:***@s1:26379,s2:26379/mymaster/0?sentinel_password=***'],
    ['redis+cluster://:hunter2@n1:7000,n2:7001', 'redis+cluster://:***@n1:7000,n2:7001'],
    ['not a url', '(unparseable URL)'],
  ])('%s', (url, shown) => {
    expect(redactRedisUrl(url)).toBe(shown);
    expect(redactRedisUrl(url)).not.toContain('hunter2');
  });
});
