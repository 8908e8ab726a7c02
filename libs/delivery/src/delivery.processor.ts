import { WorkerHost } from '@nestjs/bullmq';
import { OnModuleInit } from '@nestjs/common';
import type { RelayConfig, ResolvedTarget, TargetConfig } from '@relay/config';
import type { DeliveryJobData, DeliveryResult, WebhookPayload } from '@relay/models';
import { rootLogger, withTimeout } from '@relay/observability';
import { TemplateExecError } from '@relay/templates';
import { DelayedError, Job, UnrecoverableError } from 'bullmq';
import type { Redis } from 'ioredis';
import { DeliveryContext } from './delivery-context';
import { DeliveryFailure } from './delivery-failure';
import { isExpired, nextRetryDelay, RetryLater } from './retry-policy';
import type { ChannelDefinition, ChannelSender, DigestMessage, RenderOptions } from './channel-definition';
import type { LoadedConfig } from './relay-core.module';
import { DigestPacing, digestPacing } from './target-rate-limiter';

/** At most this many waiting jobs go into one digest (the rest wait for the next send). */
const MAX_FOLDED = 2_000;

/**
 * A job held by another's digest in flight looks again this often: the sender promotes what it
 * carried, but a job that was still active then (it woke as the sender was admitted) is not in
 * the delayed set to be promoted, and would otherwise wait out the whole lease.
 */
const HELD_POLL_MS = 1_000;

type DeliveryJob = Job<DeliveryJobData>;

interface Rendered<M> {
  messages: DigestMessage<M>[];
  /** The target's template failed on this data and the built-in one was used: its error. */
  templateFallback?: string;
}

/** The notifications one send carries: the latest of each group, and every job each stands for. */
interface Batch {
  notifications: WebhookPayload[];
  /** For each notification, the jobs it answers (a superseded job answers through its group's latest). */
  jobsOf: DeliveryJob[][];
  /** For each notification, the job it came from. */
  latestOf: DeliveryJob[];
  /** Ids of the jobs whose notification is shown (not superseded). */
  notificationJobs: Set<string>;
}

/**
 * The life of one delivery job, the same for every channel: resolve the target from config
 * (secrets never travel in job data), pass the per-target rate gate, send, and turn the
 * sender's DeliveryFailure into BullMQ's retry, delay or fail. Under throttling the jobs waiting
 * for a target go out together: the job the gate admits takes them (digest-store.ts), sends one
 * digest split only as the platform's size limit needs, and the jobs it carried complete on
 * their own. Channel processors only build messages and post them.
 */
export class DeliveryProcessor<C extends TargetConfig = TargetConfig, M = unknown> extends WorkerHost implements OnModuleInit {
  protected readonly log = rootLogger();

  constructor(
    protected readonly ctx: DeliveryContext,
    private readonly channel: string,
    private readonly definition: ChannelDefinition<C, M>,
    private readonly sender: ChannelSender<C, M>,
  ) {
    super();
  }

  private rateScope(target: ResolvedTarget<C>, relay: RelayConfig): string {
    return this.definition.rateScope?.(target, relay) ?? target.name;
  }

  /**
   * Ready means this worker takes jobs: its BullMQ worker runs, and the connection it fetches
   * jobs over (not just some other client of the process) answers a ping.
   */
  onModuleInit(): void {
    this.ctx.readiness.add(`worker:${this.channel}`, async () => {
      let running = false;
      try {
        running = this.worker.isRunning();
      } catch {
        // the worker is created after module init; until then it is not running
      }
      if (!running) throw new Error(`the ${this.channel} worker is not running`);
      await withTimeout(
        this.worker.client.then((client) => (client as unknown as Redis).ping()),
        1_000,
        'Redis (worker connection)',
      );
    });
  }

  async process(job: DeliveryJob, token?: string): Promise<DeliveryResult> {
    const { metrics, limiter, digests } = this.ctx;
    const loaded = this.ctx.loaded();
    const configured = loaded.config.target(job.data.target) as ResolvedTarget<C> | undefined;
    if (!configured || configured.channel !== this.channel) {
      metrics.deliveries.inc({ channel: this.channel, target: job.data.target, outcome: 'failed', reason: 'unknown_target' });
      throw new UnrecoverableError(`target "${job.data.target}" is not in this worker's ${this.channel} config`);
    }
    // A playground test send renders with its own templates, so it must neither carry nor be
    // carried by a digest: the others' notifications would be shown with its edits, or it without them.
    const overrides = job.data.templateOverrides;
    const target: ResolvedTarget<C> = overrides ? { ...configured, digest: false, config: withTemplateOverrides(this.definition, configured.config, overrides) } : configured;
    if (overrides && job.attemptsStarted <= 1) await this.note(job, `test send from the template playground (/ui), with edited templates: ${Object.keys(overrides).join(', ') || 'none'}`);
    const labels = { channel: this.channel, target: target.name };
    const attempt = job.attemptsMade + 1;
    const digesting = target.digest && !!this.definition.buildDigest;
    const scope = this.rateScope(target, loaded.config);
    const pacing = digesting ? digestPacing(target.rateLimit) : undefined;
    const refused = async (admission: { waitMs: number; reason: 'window' | 'penalty' }) => {
      metrics.rateLimitDeferrals.inc({ ...labels, reason: admission.reason });
      const until = Date.now() + admission.waitMs;
      await this.note(job, `waiting for the target: ${admission.reason === 'penalty' ? 'the platform asked to slow down' : 'its rate window is full'}; next turn ${iso(until)}${digesting ? '; it will go out with the other waiting notifications' : ''}`);
      return this.delay(job, until, token);
    };

    let slot: string;
    let folded: DeliveryJob[] = [];
    if (digesting) {
      // Long enough for a first message and one more; a lease that runs out only risks a duplicate.
      const leaseMs = 2 * this.definition.queue.requestTimeoutMs + 5_000;
      const turn = await digests.takeTurn(target.name, ref(job), limiter.request(scope, target.rateLimit, job.id, pacing), leaseMs, MAX_FOLDED);
      if (turn.kind === 'carried') {
        const { record } = turn;
        await this.note(job, `delivered in the digest message of job ${record.by}${record.superseded ? ' (superseded by a newer notification of its group)' : ''}`);
        await digests.forget(target.name, job.id!);
        return { deliveredAt: record.at, carriedBy: record.by, ...(record.superseded ? { superseded: true } : {}) };
      }
      if (turn.kind === 'held') {
        await this.note(job, `waiting: job ${turn.by} is sending a digest that carries this notification`);
        return this.delay(job, Date.now() + Math.min(turn.waitMs, HELD_POLL_MS), token);
      }
      if (turn.kind === 'refused') return refused(turn.admission);
      slot = turn.slot;
      // A job that finished meanwhile (removed, or completed by another path) has nothing left to show.
      folded = (await Promise.all(turn.jobIds.map((id) => Job.fromId<DeliveryJobData>(this.worker, id)))).filter((j): j is DeliveryJob => !!j?.data?.notification && !j.finishedOn);
    } else {
      const admission = await limiter.acquire(scope, target.rateLimit, job.id);
      if (!admission.allowed) return refused(admission);
      slot = admission.slot;
    }

    const render: RenderOptions = { templates: loaded.templates, key: job.id ?? '', relay: loaded.config };
    let batch = batchOf([job, ...folded]);
    let rendered: Rendered<M> | undefined;
    try {
      rendered = this.renderWithFallback(batch, target, render, loaded);
    } catch (error) {
      if (batch.notifications.length === 1) {
        await limiter.release(scope, slot);
        await digests.release(target.name, folded.map(ref));
        return this.fail(job, target, scope, DeliveryFailure.from(error), token);
      }
    }
    if (!rendered || !covers(rendered.messages, batch, job)) {
      // The digest could not show this job's own notification (it failed to render among the
      // others, e.g. a destination template): it goes out alone, succeeding or failing on its own
      // data, and the folded jobs wait for the next send. Each job can thus only fail for itself.
      await digests.release(target.name, folded.map(ref));
      folded = [];
      batch = batchOf([job]);
      try {
        rendered = this.renderWithFallback(batch, target, render, loaded);
      } catch (error) {
        await limiter.release(scope, slot);
        return this.fail(job, target, scope, DeliveryFailure.from(error), token);
      }
    }
    const { messages, templateFallback } = rendered;

    const { sent, failure, nextTurn } = await this.postAll(messages, target, job, batch, scope, slot, pacing, loaded.config);

    const completed = new Set(sent.flatMap(({ index }) => messages[index].completes.flatMap((i) => batch.jobsOf[i])));
    const leftover = folded.filter((j) => !completed.has(j));
    await digests.release(target.name, leftover.map(ref));
    await this.promote([...completed].filter((j) => j !== job));

    if (!completed.has(job)) {
      if (failure?.kind === 'permanent' && batch.notifications.length > 1) {
        // The platform refused a message carrying other notifications too: this job must not
        // fail for them. It is tried again at once on its own, and fails (if it does) for itself.
        await digests.goAlone(job.id!);
        await this.note(job, `attempt ${attempt}: a digest message was refused (${failure.reason}: ${failure.message}); sending this notification on its own`);
        return this.delay(job, Date.now() + 1, token);
      }
      if (failure) return this.fail(job, target, scope, failure, token);
      // Part of the digest went out; the window has no place yet for the message with this job's notification.
      const until = nextTurn ?? Date.now() + 1_000;
      await digests.wait(target.name, job.id!, job.data.receivedAt);
      await this.note(job, `${sent.length} of ${messages.length} digest messages went out, not yet the one with this notification; next turn ${iso(until)}`);
      return this.delay(job, until, token);
    }
    if (failure?.kind === 'rate_limited') {
      // A later message of the digest was throttled: the target is paused as for any "too fast".
      await limiter.pause(scope, failure.retryAt ?? Date.now() + target.rateLimit.penaltyMs);
    }
    if (leftover.length) await this.promote(leftover.slice(0, 1));

    const now = Date.now();
    const isDigest = messages.length > 1 || batch.notifications.length > 1;
    metrics.deliveries.inc({ ...labels, outcome: 'delivered', reason: templateFallback ? 'template_fallback' : 'ok' }, sent.length);
    for (const carried of completed) metrics.deliveryLatency.observe({ channel: this.channel }, (now - carried.data.receivedAt) / 1000);
    const carriedIds = [...completed].filter((j) => j !== job).map((j) => j.id!);
    // The sender's own notification may be the one a newer one of its group replaced.
    const superseded = [...completed].map((j) => j.id!).filter((id) => !batch.notificationJobs.has(id));
    if (isDigest) {
      metrics.digestMessages.inc(labels, sent.length);
      metrics.digestNotifications.inc(labels, completed.size);
    }
    this.log.info({ ...labels, jobId: job.id, attempt, ...(isDigest ? { digest: { messages: sent.length, notifications: completed.size } } : {}) }, 'delivered');
    // A job delivered alone on its first turn has nothing to tell beyond its result; the log line
    // would be a Redis round trip on every delivery. Once it waited or failed, its log ends with how it went out.
    const eventful = isDigest || templateFallback || overrides || job.attemptsStarted > 1;
    if (eventful)
      await this.note(
        job,
        isDigest
          ? `attempt ${attempt}: delivered in a digest of ${completed.size} notifications (${sent.length} message${sent.length === 1 ? '' : 's'}), carrying jobs ${listed(carriedIds)}`
          : `attempt ${attempt}: delivered`,
      );
    const detail = sent.length === 1 ? sent[0].detail : sent.some((s) => s.detail) ? { messages: sent.map((s) => s.detail ?? {}) } : undefined;
    return {
      deliveredAt: now,
      ...(detail ? { detail } : {}),
      ...(isDigest ? { digest: { messages: sent.length, notifications: completed.size, carried: carriedIds, superseded } } : {}),
      ...(templateFallback ? { templateFallback } : {}),
      ...(superseded.includes(job.id!) ? { superseded: true } : {}),
    };
  }

  private reportRefusedRecipients(target: ResolvedTarget<C>, job: DeliveryJob, recipients: string[], detail: string): void {
    if (!recipients.length) return;
    for (const recipient of recipients) this.ctx.metrics.invalidRecipients.inc({ channel: this.channel, target: target.name, recipient });
    this.log.warn({ channel: this.channel, target: target.name, jobId: job.id, refusedRecipients: recipients }, detail);
  }

  /**
   * Renders with the target's templates; when one fails on this data (an index out of range, a
   * function given a missing value), renders again with the built-in templates and a first line
   * naming the error, so the alert is still shown. Only when that fails too does the job fail.
   */
  private renderWithFallback(batch: Batch, target: ResolvedTarget<C>, render: RenderOptions, loaded: LoadedConfig): Rendered<M> {
    const messagesWith = (t: ResolvedTarget<C>, r: RenderOptions): DigestMessage<M>[] =>
      batch.notifications.length === 1
        ? [{ message: this.definition.build(batch.notifications[0], t, r), completes: [0] }]
        : this.definition.buildDigest!(batch.notifications, t, r);
    try {
      return { messages: messagesWith(target, render) };
    } catch (error) {
      if (!isTemplateFailure(error)) throw error;
      const reason = (error as Error).message;
      const note = `⚠ The template of ${target.name} failed on this notification, so alert-relay's default template was used. ${reason}`;
      const fallback = { ...target, config: this.definition.withDefaultTemplates(target.config) };
      const messages = messagesWith(fallback, { ...render, templates: loaded.builtinTemplates, note });
      this.log.warn({ channel: this.channel, target: target.name, error: reason }, 'template failed; rendered with the default template');
      return { messages, templateFallback: reason };
    }
  }

  /**
   * Posts the messages in order until one fails or the target's window has no place for the next;
   * the first has the job's own admission, each further one takes a place of its own (without the
   * digest spacing: it is the same digest). What each accepted message completes is recorded at once.
   */
  private async postAll(messages: DigestMessage<M>[], target: ResolvedTarget<C>, job: DeliveryJob, batch: Batch, scope: string, firstSlot: string, pacing: DigestPacing | undefined, relay: RelayConfig) {
    const { limiter } = this.ctx;
    const sent: Array<{ index: number; detail: Record<string, unknown> | undefined }> = [];
    let slot = firstSlot;
    for (let index = 0; index < messages.length; index++) {
      if (index > 0) {
        const more = await limiter.acquire(scope, target.rateLimit, '', pacing && { ...pacing, spacingMs: 0 });
        if (!more.allowed) return { sent, nextTurn: Date.now() + more.waitMs };
        slot = more.slot;
      }
      try {
        const send = {
          relay,
          job,
          reportRefusedRecipients: (recipients: string[], detail: string) => this.reportRefusedRecipients(target, job, recipients, detail),
        };
        const detail = (await this.sender.post(messages[index].message, target, send)) ?? undefined;
        sent.push({ index, detail });
        await this.recordCarried(job, target, batch, messages[index].completes);
      } catch (error) {
        const failure = DeliveryFailure.from(error);
        if (!failure.answered) await limiter.release(scope, slot);
        return { sent, failure };
      }
    }
    return { sent };
  }

  /** After a message was accepted: the jobs it completes (other than the sender) find their record when their turn comes. */
  private async recordCarried(job: DeliveryJob, target: ResolvedTarget<C>, batch: Batch, completes: number[]): Promise<void> {
    const at = Date.now();
    const records = completes.flatMap((i) =>
      batch.jobsOf[i].filter((j) => j !== job).map((j) => ({ id: j.id!, record: { by: job.id!, at, ...(j === batch.latestOf[i] ? {} : { superseded: true }) } })),
    );
    await this.ctx.digests.carried(target.name, records);
  }

  /** Folded jobs wait in BullMQ's delayed set; promoting them lets them complete now rather than at their turn. */
  private async promote(jobs: DeliveryJob[]): Promise<void> {
    await Promise.all(jobs.map((j) => j.promote().catch(() => undefined)));
  }

  /** Turns a failure into BullMQ's terms: a wait without spending an attempt, a retry by age, or the failed set. */
  private async fail(job: DeliveryJob, target: ResolvedTarget<C>, scope: string, failure: DeliveryFailure, token?: string): Promise<never> {
    const { metrics, limiter, digests } = this.ctx;
    const labels = { channel: this.channel, target: target.name };
    const attempt = job.attemptsMade + 1;
    const context = { ...labels, jobId: job.id, attempt, reason: failure.reason };
    const digesting = target.digest && !!this.definition.buildDigest;
    if (failure.kind === 'rate_limited') {
      const until = failure.retryAt ?? Date.now() + target.rateLimit.penaltyMs;
      await limiter.pause(scope, until);
      metrics.rateLimitDeferrals.inc({ ...labels, reason: 'penalty' });
      if (digesting) await digests.wait(target.name, job.id!, job.data.receivedAt);
      this.log.warn({ ...context, retryAt: iso(until) }, `platform throttled the target: ${failure.message}`);
      await this.note(job, `attempt ${attempt}: the platform throttled the target (${failure.reason}: ${failure.message}); no attempt spent, next turn ${iso(until)}`);
      return this.delay(job, until, token);
    }
    if (failure.kind === 'permanent') {
      if (digesting) await digests.leave(target.name, job.id!);
      metrics.deliveries.inc({ ...labels, outcome: 'failed', reason: failure.reason });
      this.log.error(context, `delivery failed permanently: ${failure.message}`);
      await this.note(job, `attempt ${attempt}: failed permanently (${failure.reason}): ${failure.message}`);
      throw new UnrecoverableError(`${failure.reason}: ${failure.message}`);
    }
    const age = Date.now() - job.data.receivedAt;
    if (isExpired(target, age)) {
      if (digesting) await digests.leave(target.name, job.id!);
      metrics.deliveries.inc({ ...labels, outcome: 'failed', reason: 'expired' });
      const message = `still failing after ${Math.round(age / 1000)}s, past max_delivery_age (${Math.round(target.maxDeliveryAgeMs / 1000)}s); last error ${failure.reason}: ${failure.message}`;
      this.log.error({ ...context, reason: 'expired', lastReason: failure.reason }, `delivery expired: ${message}`);
      await this.note(job, `attempt ${attempt}: expired, ${message}`);
      throw new UnrecoverableError(`expired: ${message}`);
    }
    const delayMs = nextRetryDelay(attempt, target, age);
    if (digesting) await digests.wait(target.name, job.id!, job.data.receivedAt);
    metrics.deliveries.inc({ ...labels, outcome: 'retry', reason: failure.reason });
    this.log.warn({ ...context, retryAt: iso(Date.now() + delayMs) }, `delivery failed, will retry: ${failure.message}`);
    await this.note(job, `attempt ${attempt}: failed (${failure.reason}: ${failure.message}); next try ${iso(Date.now() + delayMs)}`);
    throw new RetryLater(`${failure.reason}: ${failure.message}`, delayMs);
  }

  /** Waits for the target without spending an attempt: the job goes back to delayed until `until`. */
  private async delay(job: DeliveryJob, until: number, token?: string): Promise<never> {
    await job.moveToDelayed(until, token);
    throw new DelayedError();
  }

  /** One line in the job's log (Bull Board's Logs tab): why it waits, failed or went out. Never a secret. */
  private async note(job: DeliveryJob, line: string): Promise<void> {
    await job.log(line).catch(() => undefined);
  }
}

const PROBE = '\u0000alert-relay-probe';

/**
 * Whether `key` (`text`, or `headers.Subject` for a field of a map) names a content template of
 * the channel: one its withDefaultTemplates puts back to the default. Addresses, secrets and
 * recipients stay as configured there, so a key naming one is never a content template.
 */
export function isContentTemplate(definition: Pick<ChannelDefinition, 'withDefaultTemplates'>, config: object, key: string): boolean {
  const [field, entry, ...rest] = key.split('.');
  if (rest.length || !field) return false;
  const current = (config as Record<string, unknown>)[field];
  try {
    if (entry === undefined) {
      if (current !== undefined && typeof current !== 'string') return false;
      return (definition.withDefaultTemplates({ [field]: PROBE }) as Record<string, unknown>)[field] !== PROBE;
    }
    if (current !== undefined && (typeof current !== 'object' || current === null || Array.isArray(current))) return false;
    const reset = (definition.withDefaultTemplates({ [field]: { [entry]: PROBE } }) as Record<string, Record<string, unknown> | undefined>)[field];
    return reset?.[entry] !== PROBE;
  } catch {
    return false;
  }
}

/** The target's block with the playground's edited content templates; a key that is not one (isContentTemplate) is ignored. */
export function withTemplateOverrides<C extends TargetConfig>(definition: Pick<ChannelDefinition, 'withDefaultTemplates'>, config: C, overrides: Record<string, string>): C {
  const result: Record<string, unknown> = { ...(config as object) };
  for (const [key, value] of Object.entries(overrides)) {
    if (typeof value !== 'string' || !isContentTemplate(definition, config, key)) continue;
    const [field, entry] = key.split('.');
    if (entry === undefined) result[field] = value;
    else result[field] = { ...(result[field] as Record<string, string> | undefined), [entry]: value };
  }
  return result as C;
}

/**
 * The jobs' notifications in the order they arrived. A notification superseded while it waited (the
 * same group, with a newer one also here, e.g. firing then resolved) is shown once, in its latest state.
 */
function batchOf(jobs: DeliveryJob[]): Batch {
  const groups = new Map<string, DeliveryJob[]>();
  for (const job of jobs) {
    const key = job.data.notification.groupKey;
    groups.set(key, [...(groups.get(key) ?? []), job]);
  }
  const latest = [...groups.values()].map((group) => ({ group, latest: group.reduce((a, b) => (b.data.receivedAt >= a.data.receivedAt ? b : a)) }));
  latest.sort((a, b) => a.latest.data.receivedAt - b.latest.data.receivedAt);
  return {
    notifications: latest.map((g) => g.latest.data.notification),
    jobsOf: latest.map((g) => g.group),
    latestOf: latest.map((g) => g.latest),
    notificationJobs: new Set(latest.map((g) => g.latest.id!)),
  };
}

/** Up to 20 ids, then how many more (a log line stays readable; the job's result lists them all). */
const listed = (ids: string[]) => (ids.length > 20 ? `${ids.slice(0, 20).join(', ')} and ${ids.length - 20} more` : ids.join(', '));
/** Whether some message shows the notification of `job` (its own, or its group's latest). */
function covers<M>(messages: DigestMessage<M>[], batch: Batch, job: DeliveryJob): boolean {
  const own = batch.jobsOf.findIndex((jobs) => jobs.includes(job));
  return messages.some((m) => m.completes.includes(own));
}

const ref = (job: DeliveryJob) => ({ id: job.id!, receivedAt: job.data.receivedAt });
const iso = (ms: number) => new Date(ms).toISOString();

function isTemplateFailure(error: unknown): boolean {
  return error instanceof TemplateExecError || (error instanceof DeliveryFailure && error.reason === 'template');
}
