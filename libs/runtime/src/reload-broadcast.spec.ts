import { createRedisClient, hashTagOf, RelayRuntime } from '@relay/delivery';
import { eventually, uniquePrefix } from '@relay/testing';
import { Cluster, Redis } from 'ioredis';
import { killStrayNodeChildren, RedisClusterNodes, startRedisCluster } from '../../../test/support/redis-topologies';
import type { ConfigReloader } from './config-reloader';
import { publishReload, reloadChannel, ReloadSubscriber } from './reload-broadcast';

type Subscribed = { subscriber: ReloadSubscriber; reload: jest.Mock };

function subscribe(redisUrl: string, queuePrefix: string): Subscribed {
  const reload = jest.fn().mockResolvedValue(undefined);
  const subscriber = new ReloadSubscriber({ redisUrl, queuePrefix } as RelayRuntime, { reload } as unknown as ConfigReloader);
  subscriber.onApplicationBootstrap();
  return { subscriber, reload };
}

async function numsub(redis: Redis, channel: string, sharded: boolean): Promise<number> {
  const reply = (await redis.call('PUBSUB', sharded ? 'SHARDNUMSUB' : 'NUMSUB', channel)) as [string, number];
  return Number(reply[1]);
}

describe('reload requests through Redis pub/sub', () => {
  const subscribed: Subscribed[] = [];
  const clients: Array<Redis | Cluster> = [];
  afterEach(() => {
    for (const { subscriber } of subscribed.splice(0)) subscriber.onApplicationShutdown();
    for (const c of clients.splice(0)) c.disconnect();
  });

  describe('one Redis', () => {
    const url = () => process.env.REDIS_URL!;

    it('reaches every subscriber of its prefix, says how many, and none of another prefix', async () => {
      const prefix = uniquePrefix();
      const mine = [subscribe(url(), prefix), subscribe(url(), prefix)];
      const other = subscribe(url(), uniquePrefix());
      subscribed.push(...mine, other);
      const publisher = createRedisClient(url(), 'worker') as Redis;
      clients.push(publisher);
      await eventually(async () => (await numsub(publisher, reloadChannel(prefix), false)) === 2);

      expect(await publishReload(publisher, { redisUrl: url(), queuePrefix: prefix })).toBe(2);

      await eventually(() => mine.every(({ reload }) => reload.mock.calls.length === 1));
      expect(other.reload).not.toHaveBeenCalled();
    });

    it('no longer counts a subscriber that shut down', async () => {
      const prefix = uniquePrefix();
      const gone = subscribe(url(), prefix);
      const publisher = createRedisClient(url(), 'worker') as Redis;
      clients.push(publisher);
      await eventually(async () => (await numsub(publisher, reloadChannel(prefix), false)) === 1);
      gone.subscriber.onApplicationShutdown();
      await eventually(async () => (await numsub(publisher, reloadChannel(prefix), false)) === 0);

      expect(await publishReload(publisher, { redisUrl: url(), queuePrefix: prefix })).toBe(0);
    });
  });

  describe('Redis Cluster (three masters)', () => {
    let cluster: RedisClusterNodes;
    beforeAll(async () => {
      cluster = await startRedisCluster(3);
    }, 60_000);
    afterAll(async () => {
      killStrayNodeChildren();
      await cluster?.stop();
    });

    // Classic PUBLISH's reply on a Cluster counts the subscribers of one node only; the count must be all of them.
    it('reaches and counts subscribers whichever node the publisher and they first connected to', async () => {
      const prefix = uniquePrefix();
      const seedOrders = [0, 1, 2].map((first) => [...cluster.nodes.slice(first), ...cluster.nodes.slice(0, first)]);
      const urlFrom = (nodes: typeof cluster.nodes) => `redis+cluster://${nodes.map((n) => `127.0.0.1:${n.port}`).join(',')}`;
      const mine = seedOrders.map((nodes) => subscribe(urlFrom(nodes), prefix));
      subscribed.push(...mine);
      const owner = new Redis({ port: await cluster.ownerOf(hashTagOf(prefix)!), lazyConnect: false });
      clients.push(owner);
      await eventually(async () => (await numsub(owner, reloadChannel(prefix), true)) === 3, 15_000);

      for (const nodes of seedOrders) {
        const publisher = createRedisClient(urlFrom(nodes), 'ingest');
        clients.push(publisher);
        await eventually(() => publisher.status === 'ready');
        expect(await publishReload(publisher, { redisUrl: cluster.url, queuePrefix: prefix })).toBe(3);
      }

      await eventually(() => mine.every(({ reload }) => reload.mock.calls.length === 3));
    }, 60_000);
  });
});
