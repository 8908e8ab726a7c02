import type { FastifyRequest } from 'fastify';

export type IngestOutcome = 'accepted' | 'deduplicated' | 'invalid' | 'unauthorized' | 'unknown_receiver' | 'too_large' | 'unavailable' | 'error';

const OUTCOME = Symbol('relayOutcome');

interface Tagged {
  [OUTCOME]?: { outcome: IngestOutcome; receiver: string };
}

/**
 * The handler says how a notification ended; the onResponse hook counts it once, including the
 * answers fastify gives before the handler runs (401, 413, malformed JSON).
 * Only configured receiver names become label values, so input cannot blow up cardinality.
 */
export function recordOutcome(req: FastifyRequest, outcome: IngestOutcome, receiver = ''): void {
  (req as Tagged)[OUTCOME] = { outcome, receiver };
}

export function outcomeOf(req: FastifyRequest, status: number): { outcome: IngestOutcome; receiver: string } {
  const tagged = (req as Tagged)[OUTCOME];
  if (tagged) return tagged;
  if (status === 401) return { outcome: 'unauthorized', receiver: '' };
  if (status === 413) return { outcome: 'too_large', receiver: '' };
  if (status === 503) return { outcome: 'unavailable', receiver: '' };
  // An unexpected failure of the relay (UnexpectedErrorFilter), not a fault of the input.
  if (status >= 500) return { outcome: 'error', receiver: '' };
  return { outcome: 'invalid', receiver: '' };
}
