import {
  BadRequestException,
  Body,
  Controller,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  Req,
  ServiceUnavailableException,
} from '@nestjs/common';
import { RELAY_RUNTIME, RelayRuntime } from '@relay/delivery';
import { DEFAULT_PAYLOAD_LIMITS, parseWebhookPayload } from '@relay/models';
import { rootLogger } from '@relay/observability';
import type { FastifyRequest } from 'fastify';
import { EnqueueResult, EnqueueService, QueueUnavailableError } from './enqueue.service';
import { unquoteMeta } from './receiver-name';
import { recordOutcome } from './ingest-outcome';

/**
 * Alertmanager's webhook receiver. The answer is a promise about durability: 202 only once every
 * job is in Redis, 503 when Redis cannot take them (Alertmanager retries 5xx), 4xx only for
 * input that can never succeed (Alertmanager drops it without retrying).
 */
@Controller('webhook')
export class WebhookController {
  private readonly log = rootLogger();

  constructor(
    @Inject(RELAY_RUNTIME) private readonly runtime: RelayRuntime,
    private readonly enqueuer: EnqueueService,
  ) {}

  @Post()
  @HttpCode(202)
  receive(@Body() body: unknown, @Req() req: FastifyRequest): Promise<EnqueueResult> {
    return this.accept(body, undefined, req);
  }

  @Post(':receiver')
  @HttpCode(202)
  receiveFor(@Param('receiver') receiver: string, @Body() body: unknown, @Req() req: FastifyRequest): Promise<EnqueueResult> {
    return this.accept(body, receiver, req);
  }

  private async accept(body: unknown, pathReceiver: string | undefined, req: FastifyRequest): Promise<EnqueueResult> {
    // One config for the whole request, whatever a reload does meanwhile.
    const { config } = this.runtime;
    const parsed = parseWebhookPayload(body, { ...DEFAULT_PAYLOAD_LIMITS, maxAlerts: config.ingest.maxAlerts });
    if (!parsed.ok) {
      recordOutcome(req, 'invalid');
      throw new BadRequestException(parsed.errors);
    }
    const payload = parsed.payload;
    const name = pathReceiver ?? unquoteMeta(payload.receiver);
    if (!name) {
      recordOutcome(req, 'invalid');
      throw new BadRequestException(['receiver must name a receiver (in the body, or in the path as /webhook/<receiver>)']);
    }
    const receiver = config.receiver(name);
    if (!receiver) {
      recordOutcome(req, 'unknown_receiver');
      throw new NotFoundException(`receiver "${name}" is not in the relay's config`);
    }
    try {
      const result = await this.enqueuer.enqueue(receiver, payload, config.ingest.dedupWindowMs);
      recordOutcome(req, result.deduplicated ? 'deduplicated' : 'accepted', receiver.name);
      return result;
    } catch (e) {
      // Anything else is not Redis's doing: UnexpectedErrorFilter logs it and answers 500.
      if (!(e instanceof QueueUnavailableError)) throw e;
      recordOutcome(req, 'unavailable', receiver.name);
      this.log.error({ receiver: receiver.name, groupKey: payload.groupKey, err: e.message }, 'could not store the jobs; answering 503 so Alertmanager retries');
      throw new ServiceUnavailableException('the queue (Redis) cannot take the notification now; retry later');
    }
  }
}
