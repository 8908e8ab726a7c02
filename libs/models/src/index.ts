export * from './channel';
export * from './webhook-payload.dto';
export * from './delivery-job';
