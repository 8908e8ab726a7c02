// Decorated classes below read design-time types at import; load the polyfill for every consumer.
import 'reflect-metadata';

export * from './channel';
export * from './delivery-job';
export * from './parse-webhook-payload';
export * from './payload-limits';
export * from './rfc3339';
export * from './validation-issues';
export * from './webhook-payload.dto';
