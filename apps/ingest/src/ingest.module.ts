import { Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { RelayConfig } from '@relay/config';
import { RelayMetrics, rootLogger } from '@relay/observability';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DASHBOARD_ROUTE, DashboardModule } from './dashboard/dashboard.module';
import { EnqueueService } from './enqueue.service';
import { challengeFor, Credentials, isAuthorized } from './http-auth';
import { outcomeOf } from './ingest-outcome';
import { IngestQueuesModule } from './ingest-queues';
import { WebhookController } from './webhook.controller';

/**
 * Which guard applies is decided by the route the request matched, never by the raw URL: the
 * router decodes percent-escapes (`/%77ebhook` reaches the webhook handler) and the raw text does
 * not show that. A request that matches no route gets fastify's 404 and needs no guard.
 */
const routeOf = (req: FastifyRequest): string | undefined => req.routeOptions.url;
const isUnder = (route: string | undefined, base: string) => route !== undefined && (route === base || route.startsWith(`${base}/`));
const isWebhook = (req: FastifyRequest) => isUnder(routeOf(req), '/webhook');
const isDashboard = (req: FastifyRequest) => isUnder(routeOf(req), DASHBOARD_ROUTE);

@Module({
  imports: [IngestQueuesModule, DashboardModule],
  controllers: [WebhookController],
  providers: [EnqueueService],
})
export class IngestModule implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly config: RelayConfig,
    private readonly metrics: RelayMetrics,
  ) {}

  /**
   * Fastify hooks rather than Nest guards: onRequest runs before the body is read, so a caller
   * without credentials gets 401 before a large body could earn it a 413 (interface order).
   */
  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const ingestAuth: Credentials = this.config.ingest;
    const dashboardAuth: Credentials = { basicAuth: this.config.dashboard.basic_auth };
    if (!dashboardAuth.basicAuth) rootLogger().warn('dashboard.basic_auth is not set: Bull Board at /queues is open to anyone who can reach ingest');

    fastify.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
      const guarded = isWebhook(req) ? ingestAuth : isDashboard(req) ? dashboardAuth : undefined;
      if (!guarded || isAuthorized(req.headers.authorization, guarded)) return;
      const challenge = challengeFor(guarded, 'alert-relay');
      if (challenge) reply.header('WWW-Authenticate', challenge);
      await reply.code(401).send({ statusCode: 401, error: 'Unauthorized', message: 'missing or wrong credentials' });
    });
    fastify.addHook('onResponse', async (req: FastifyRequest, reply: FastifyReply) => {
      if (isWebhook(req)) this.metrics.notificationsReceived.inc(outcomeOf(req, reply.statusCode));
    });
  }
}
