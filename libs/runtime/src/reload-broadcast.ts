import { Inject, Injectable, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { clusterOptions, parseRedisUrl, RELAY_RUNTIME, RelayRuntime, redisOptions } from '@relay/delivery';
import { rootLogger } from '@relay/observability';
import { Cluster, Redis } from 'ioredis';
import { hostname } from 'node:os';
import { ConfigReloader } from './config-reloader';

/**
 * Under the queue prefix, so relays sharing one Redis under different prefixes never reload each
 * other; on a Cluster the prefix's hash tag puts the channel in the slot of the relay's keys.
 */
export const reloadChannel = (queuePrefix: string): string => `${queuePrefix}:reload`;

/** Who asked, for the log of each process that reloads. */
export interface ReloadRequest {
  from: string;
  at: number;
}

export const reloadRequester = (): string => `${hostname()} pid ${process.pid}`;

/*
 * On a Cluster, classic PUBLISH is relayed to every node, but its reply counts only the subscribers
 * of the node that took it: the count would say 0 while workers elsewhere reload. Sharded pub/sub
 * (Redis 7) keeps the channel and its subscribers on the primary owning its slot, so SPUBLISH's
 * reply counts every subscriber. One Redis and Sentinel keep classic pub/sub, which any version has.
 */
const sharded = (redisUrl: string) => parseRedisUrl(redisUrl).kind === 'cluster';

/**
 * Asks every process that runs ReloadSubscriber to reload its config; resolves with how many
 * subscribers Redis handed the request to. Whether each reload succeeded is that process's own
 * log and metrics: pub/sub has no answer.
 */
export async function publishReload(redis: Redis | Cluster, runtime: Pick<RelayRuntime, 'redisUrl' | 'queuePrefix'>, from = reloadRequester()): Promise<number> {
  const request: ReloadRequest = { from, at: Date.now() };
  const channel = reloadChannel(runtime.queuePrefix);
  const message = JSON.stringify(request);
  return Number(await (sharded(runtime.redisUrl) ? redis.spublish(channel, message) : redis.publish(channel, message)));
}

/** A connection of its own: a subscribed connection can issue no other command. */
function subscriberClient(redisUrl: string): Redis | Cluster {
  if (!sharded(redisUrl)) return new Redis(redisOptions(redisUrl, 'worker'));
  const { nodes, options } = clusterOptions(redisUrl, 'worker');
  return new Cluster(nodes, { ...options, shardedSubscribers: true });
}

/**
 * Makes `POST /-/reload` on ingest reach a worker process: it reloads on each request published
 * on the reload channel, re-reading its own file as SIGHUP does. Not in a process that runs ingest
 * too (`npm start`): the POST has reloaded that one already.
 */
@Injectable()
export class ReloadSubscriber implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = rootLogger();
  private subscriber?: Redis | Cluster;

  constructor(
    @Inject(RELAY_RUNTIME) private readonly runtime: RelayRuntime,
    private readonly reloader: ConfigReloader,
  ) {}

  onApplicationBootstrap(): void {
    const { redisUrl, queuePrefix } = this.runtime;
    const channel = reloadChannel(queuePrefix);
    const subscriber = subscriberClient(redisUrl);
    this.subscriber = subscriber;
    // Reconnects (and resubscribes) on its own; the worker's readiness reports a Redis outage.
    subscriber.on('error', () => undefined);
    const onMessage = (from: string, message: string) => {
      if (from !== channel) return;
      this.log.info({ requestedBy: requesterOf(message) }, 'config reload requested through Redis (POST /-/reload)');
      // The reloader logs the outcome and records it in this process's metrics.
      this.reloader.reload().catch(() => undefined);
    };
    // Not awaited: with Redis down a worker connection waits for it, and start-up must not.
    let subscribed: Promise<unknown>;
    if (sharded(redisUrl)) {
      subscriber.on('smessage', onMessage);
      subscribed = subscriber.ssubscribe(channel);
    } else {
      subscriber.on('message', onMessage);
      subscribed = subscriber.subscribe(channel);
    }
    subscribed.then(
      () => this.log.debug({ channel }, 'taking reload requests'),
      (e) => this.subscriber && this.log.warn({ channel, err: (e as Error).message }, 'could not subscribe to reload requests: POST /-/reload will not reach this process, SIGHUP still does'),
    );
  }

  onApplicationShutdown(): void {
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    subscriber?.disconnect();
  }
}

function requesterOf(message: string): string | undefined {
  try {
    const from = (JSON.parse(message) as Partial<ReloadRequest>).from;
    return typeof from === 'string' ? from : undefined;
  } catch {
    return undefined;
  }
}

/** For worker processes: see ReloadSubscriber. */
@Module({ providers: [ReloadSubscriber] })
export class ReloadSubscriberModule {}
