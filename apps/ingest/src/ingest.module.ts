import { Inject, Module, OnModuleInit } from '@nestjs/common';
import { APP_FILTER, HttpAdapterHost } from '@nestjs/core';
import { RELAY_RUNTIME, RelayRuntime } from '@relay/delivery';
import { RelayMetrics, rootLogger } from '@relay/observability';
import { ConfigReloader } from '@relay/runtime';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DASHBOARD_ROUTE, DashboardModule } from './dashboard/dashboard.module';
import { EnqueueService } from './enqueue.service';
import { challengeFor, Credentials, isAuthorized } from './http-auth';
import { outcomeOf, recordOutcome } from './ingest-outcome';
import { PlaygroundModule } from './playground/playground.module';
import { PLAYGROUND_ROUTE } from './playground/playground.service';
import { IngestQueuesModule } from './ingest-queues';
import { insecureSettings } from './insecure-settings';
import { RELOAD_ROUTE, ReloadController } from './reload.controller';
import { parseJsonKeepingEveryKeyOn, unsupportedContentEncoding } from './request-body';
import { UnexpectedErrorFilter } from './unexpected-error.filter';
import { WebhookController } from './webhook.controller';

/**
 * Which guard applies is decided by the route the request matched, never by the raw URL: the
 * router decodes percent-escapes (`/%77ebhook` reaches the webhook handler) and the raw text does
 * not show that. A request that matches no route gets fastify's 404 and needs no guard.
 */
const routeOf = (req: FastifyRequest): string | undefined => req.routeOptions.url;
const isUnder = (route: string | undefined, base: string) => route !== undefined && (route === base || route.startsWith(`${base}/`));
const isWebhook = (req: FastifyRequest) => isUnder(routeOf(req), '/webhook');
// The playground shows what Bull Board shows (jobs, their data) and sends through the queues: the same guard.
const isDashboard = (req: FastifyRequest) => isUnder(routeOf(req), DASHBOARD_ROUTE) || isUnder(routeOf(req), PLAYGROUND_ROUTE);
const isReload = (req: FastifyRequest) => routeOf(req) === RELOAD_ROUTE;

@Module({
  imports: [IngestQueuesModule, DashboardModule, PlaygroundModule],
  controllers: [WebhookController, ReloadController],
  providers: [EnqueueService, { provide: APP_FILTER, useClass: UnexpectedErrorFilter }],
})
export class IngestModule implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(RELAY_RUNTIME) private readonly runtime: RelayRuntime,
    private readonly metrics: RelayMetrics,
    private readonly reloader: ConfigReloader,
  ) {}

  /**
   * Fastify hooks rather than Nest guards: onRequest runs before the body is read, so a caller
   * without credentials gets 401 before a large body could earn it a 413 (interface order), and a
   * body in an encoding we cannot read is refused (415) before it is read at all. The credentials
   * are those of the config in force when the request arrives, so a reload changes them at once.
   */
  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    this.reloader.onConfig((config) => {
      for (const { setting, message } of insecureSettings(config)) rootLogger().warn({ setting }, message);
    });
    parseJsonKeepingEveryKeyOn(fastify, isWebhook);

    fastify.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
      const webhook = isWebhook(req);
      const { config } = this.runtime;
      const guarded: Credentials | undefined = webhook || isReload(req) ? config.ingest : isDashboard(req) ? { basicAuth: config.dashboard.basic_auth } : undefined;
      if (guarded && !isAuthorized(req.headers.authorization, guarded)) {
        const challenge = challengeFor(guarded, 'alert-relay');
        if (challenge) reply.header('WWW-Authenticate', challenge);
        await reply.code(401).send({ statusCode: 401, error: 'Unauthorized', message: 'missing or wrong credentials' });
        return;
      }
      const encoding = webhook ? unsupportedContentEncoding(req.headers['content-encoding']) : undefined;
      if (encoding !== undefined) {
        recordOutcome(req, 'invalid');
        // RFC 9110 15.5.16: a 415 for a content coding says which codings are accepted.
        reply.header('Accept-Encoding', 'identity');
        await reply.code(415).send({
          statusCode: 415,
          error: 'Unsupported Media Type',
          message: `Content-Encoding "${encoding}" is not supported: send the body uncompressed (no Content-Encoding, or identity)`,
        });
      }
    });
    fastify.addHook('onResponse', async (req: FastifyRequest, reply: FastifyReply) => {
      if (isWebhook(req)) this.metrics.notificationsReceived.inc(outcomeOf(req, reply.statusCode));
    });
  }
}
