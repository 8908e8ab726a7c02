import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * The Content-Encoding of a request the ingest cannot read, or undefined when it is absent or
 * `identity`. Nothing here decodes gzip, br or any other coding: such a body reached the JSON
 * parser compressed and came back as "Body is not valid JSON", which sent the sender looking in
 * the wrong place. Only the first offending coding is returned (shortened: it is echoed).
 */
export function unsupportedContentEncoding(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  const codings = (Array.isArray(header) ? header.join(',') : header).split(',');
  for (const raw of codings) {
    const coding = raw.trim().toLowerCase();
    if (coding !== '' && coding !== 'identity') return coding.length > 64 ? `${coding.slice(0, 64)}…` : coding;
  }
  return undefined;
}

/**
 * Replaces the JSON parser Nest registered (fastify's, refusing any `__proto__` key and any
 * `constructor.prototype`) with one that keeps every key on webhook routes. `__proto__`,
 * `constructor` and `prototype` are legal Prometheus label names, so an alert may carry them;
 * JSON.parse makes each an own property of its object and touches no prototype, and the payload
 * code copies bodies only by spreading or by declared field names, never by assigning unknown
 * keys (see parseWebhookPayload). Every other route (Bull Board's API) keeps fastify's refusal.
 *
 * Must run before fastify starts (it does, from a module's onModuleInit): Nest registers its
 * parser earlier in app.init().
 */
export function parseJsonKeepingEveryKeyOn(fastify: FastifyInstance, keepEveryKey: (req: FastifyRequest) => boolean): void {
  const keepingEveryKey = fastify.getDefaultJsonParser('ignore', 'ignore');
  const refusingPrototypeKeys = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser<string>('application/json', { parseAs: 'string' }, (req, body, done) =>
    (keepEveryKey(req) ? keepingEveryKey : refusingPrototypeKeys)(req, body, done),
  );
}
