import { ArgumentsHost, Catch, HttpException, IntrinsicException } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { rootLogger } from '@relay/observability';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** What a caller is told; the details are in the log, not in an answer to whoever asked. */
const REASON = 'the relay failed unexpectedly on this request (the error is in its log); nothing is known to be stored, so send it again';

/**
 * Unexpected exceptions in a request: a 500 with a JSON reason, and a log line that says what
 * happened. Nest's own filter gave the 500 but logged the Error object through our pino adapter,
 * which printed `ExceptionsHandler {}`: no message, no stack. HttpExceptions (our 4xx and 503,
 * fastify's 413 and 415) keep Nest's handling.
 *
 * A 500, never a 503: 503 tells Alertmanager the queue is down and to come back, which is the
 * promise of EnqueueService alone. Alertmanager retries a 500 too, within its flush.
 */
@Catch()
export class UnexpectedErrorFilter extends BaseExceptionFilter {
  private readonly log = rootLogger();

  override catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http' || exception instanceof HttpException || exception instanceof IntrinsicException || carriesItsOwnStatus(exception)) {
      super.catch(exception, host);
      return;
    }
    const http = host.switchToHttp();
    const req = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const error = exception instanceof Error ? exception : new Error(`non-Error thrown: ${typeof exception}`);
    // Method and route pattern only: no headers (credentials) and no body (whatever was sent).
    this.log.error(
      { method: req.method, route: req.routeOptions?.url, err: { type: error.name, message: error.message, stack: error.stack } },
      `unexpected error while handling a request, answered 500: ${error.message}`,
    );
    if (reply.sent) return;
    void reply.status(500).send({ statusCode: 500, error: 'Internal Server Error', message: REASON });
  }
}

/** Errors in the http-errors style (a statusCode and a message), which Nest answers with their own status. */
function carriesItsOwnStatus(exception: unknown): boolean {
  const e = exception as { statusCode?: unknown; message?: unknown } | null;
  return typeof e === 'object' && e !== null && typeof e.statusCode === 'number' && e.statusCode < 500 && !!e.message;
}
