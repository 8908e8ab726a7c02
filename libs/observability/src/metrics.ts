import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Every metric the relay exposes. One instance per process (prom-client refuses duplicate
 * names), shared by ingest and workers when they run in one process.
 */
export class RelayMetrics {
  readonly registry = new Registry();

  readonly notificationsReceived = new Counter({
    name: 'alert_relay_notifications_received_total',
    help: 'Alertmanager notifications received by ingest, by receiver and outcome (accepted, deduplicated, invalid, unauthorized, unknown_receiver, too_large, unavailable, error; a 415 counts as invalid).',
    labelNames: ['receiver', 'outcome'],
    registers: [this.registry],
  });

  readonly jobsEnqueued = new Counter({
    name: 'alert_relay_jobs_enqueued_total',
    help: 'Delivery jobs stored in Redis, by channel.',
    labelNames: ['channel'],
    registers: [this.registry],
  });

  readonly deliveries = new Counter({
    name: 'alert_relay_deliveries_total',
    help: 'Delivery attempts by channel, target, outcome (delivered, retry, failed) and reason.',
    labelNames: ['channel', 'target', 'outcome', 'reason'],
    registers: [this.registry],
  });

  readonly deliveryLatency = new Histogram({
    name: 'alert_relay_delivery_latency_seconds',
    help: 'Time from ingest accepting a notification to the platform accepting it.',
    labelNames: ['channel'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
    registers: [this.registry],
  });

  readonly rateLimitDeferrals = new Counter({
    name: 'alert_relay_rate_limit_deferrals_total',
    help: 'Jobs delayed because their target was at its rate limit (window) or paused by the platform (penalty).',
    labelNames: ['channel', 'target', 'reason'],
    registers: [this.registry],
  });

  readonly digestNotifications = new Counter({
    name: 'alert_relay_digest_notifications_total',
    help: 'Notifications delivered inside a digest message (the sending one included), by channel and target.',
    labelNames: ['channel', 'target'],
    registers: [this.registry],
  });

  readonly digestMessages = new Counter({
    name: 'alert_relay_digest_messages_total',
    help: 'Digest messages the platform accepted (each carries several notifications), by channel and target.',
    labelNames: ['channel', 'target'],
    registers: [this.registry],
  });

  readonly queueJobs = new Gauge({
    name: 'alert_relay_queue_jobs',
    help: 'Jobs in each channel queue by state, read from Redis at scrape time.',
    labelNames: ['queue', 'state'],
    registers: [this.registry],
  });

  readonly wecomTokenFetches = new Counter({
    name: 'alert_relay_wecom_token_fetches_total',
    help: 'WeCom access_token fetches (gettoken calls), by reason (missing, expired, rejected) and outcome.',
    labelNames: ['reason', 'outcome'],
    registers: [this.registry],
  });

  readonly invalidRecipients = new Counter({
    name: 'alert_relay_invalid_recipients_total',
    help: 'Recipients a platform refused while delivering to the rest, by channel, target and recipient (WeCom: user:<id>, party:<id>, tag:<id>).',
    labelNames: ['channel', 'target', 'recipient'],
    registers: [this.registry],
  });

  readonly ready = new Gauge({
    name: 'alert_relay_ready',
    help: "Each readiness check of this process at scrape time (1 passing, 0 failing): redis, config, worker:<channel>; what /health/ready reports, for alerting on.",
    labelNames: ['check'],
    registers: [this.registry],
  });

  // Alertmanager's names, so dashboards and alerts written for it (e.g. on a failed reload) apply.
  readonly configLastReloadSuccessful = new Gauge({
    name: 'alert_relay_config_last_reload_successful',
    help: 'Whether the last configuration reload attempt was successful (1) or not (0); 1 from start-up, which a bad config does not pass.',
    registers: [this.registry],
  });

  readonly configLastReloadSuccessTimestamp = new Gauge({
    name: 'alert_relay_config_last_reload_success_timestamp_seconds',
    help: 'Timestamp of the last successful configuration load: start-up, or a reload since.',
    registers: [this.registry],
  });

  private readonly collectors: Array<() => Promise<void>> = [];

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'alert_relay_' });
  }

  /** Gauges read at scrape time (queue depths) register their refresh here. */
  onCollect(collect: () => Promise<void>): void {
    this.collectors.push(collect);
  }

  async render(): Promise<string> {
    await Promise.allSettled(this.collectors.map((c) => c()));
    return this.registry.metrics();
  }
}
