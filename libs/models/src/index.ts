export * from './channel';
export * from './delivery-job';
export * from './parse-webhook-payload';
export * from './validation-issues';
export * from './webhook-payload.dto';
