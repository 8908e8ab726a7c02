import { BadRequestException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { Channel, CHANNEL_DEFINITIONS } from '@relay/channels';
import type { ResolvedTarget } from '@relay/config';
import { ChannelDefinition, isContentTemplate, RELAY_RUNTIME, RelayRuntime, withTemplateOverrides } from '@relay/delivery';
import { DEFAULT_PAYLOAD_LIMITS, DeliveryJobData, parseWebhookPayload, WebhookPayload } from '@relay/models';
import { templateData, TemplateExecError, TemplateParseError } from '@relay/templates';
import type { Job } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { IngestQueues } from '../ingest-queues';
import { EXAMPLES } from './examples';
import { Preview, previewOf } from './preview';
import { SizeReport, sizeOf } from './size';

export const PLAYGROUND_ROUTE = '/ui';

/** One content template of a target, as the page edits it; `value` null when the config leaves it to the channel's default. */
export interface TemplateField {
  key: string;
  value: string | null;
  /** The channel's default, shown as the placeholder of an unset field. */
  default: string | null;
}

export interface TargetView {
  name: string;
  receiver: string;
  channel: Channel;
  sendResolved: boolean;
  /** Where it posts, with every secret part masked. */
  destination: string[];
  fields: TemplateField[];
}

export interface TemplateProblem {
  /** The edited field (`text`, `headers.Subject` …), or the template file or definition the error is in. */
  field: string;
  line?: number;
  column?: number;
  message: string;
}

export interface RenderResult {
  ok: boolean;
  /** The notification does not pass ingest's validation: every reason, naming the field. */
  notificationErrors: string[];
  templateErrors: TemplateProblem[];
  /** The target's templates fail on this data: what the worker does then. */
  fallback?: string;
  preview?: Preview;
  /** The exact JSON the relay would send (for email: the mail nodemailer is given). */
  body?: string;
  size?: SizeReport;
  notes: string[];
}

export interface DeliveryView {
  id: string;
  state: string;
  outcome: string;
  reason: string;
  at: number;
  attempts: number;
  test: boolean;
  summary: string;
  /** Bull Board's page of the job, relative to this server. */
  link: string;
}

export interface PlaygroundRequest {
  target: string;
  templates: Record<string, string>;
  notification: string;
}

/** A bound on what one edited template or pasted notification may be, far above any real one. */
const MAX_TEMPLATE_CHARS = 256 * 1024;
/** Jobs read per state when listing a target's deliveries: the queue is shared by every target of the channel. */
const SCAN_PER_STATE = 300;
const SHOWN_DELIVERIES = 30;
/** Fields holding an address that may carry a secret (a token in the path or the query). */
const URL_FIELDS = ['url', 'api_url', 'app_url'];
/** Fields naming where a message goes that are no secret: shown as configured. */
const RECIPIENT_FIELDS = ['channel', 'to', 'from', 'to_user', 'to_party', 'to_tag', 'agent_id', 'smarthost', 'msgtype', 'msg_type', 'message_type'];

/**
 * `scheme://host/***`: the host says which platform; the path and query of a robot or webhook URL
 * are its credentials (DingTalk's access_token, WeCom's key, Feishu's and Slack's path), so none of
 * them is shown. The target's rate scope (a digest of the address, secretAddressScope) is shown
 * instead: two targets of one robot have the same one.
 */
export function maskedUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname !== '/' || u.search ? '/***' : '/'}`;
  } catch {
    return '***';
  }
}

const LOCATION = /^template: ([^:]*):(\d+)(?::(\d+))?:/;

function problemOf(field: string, error: Error): TemplateProblem {
  const m = LOCATION.exec(error.message);
  // An error inside a named template (a `templates` file, a default) is located there, not in the edited text.
  const where = m && m[1] ? m[1] : field;
  return { field: where, line: m ? Number(m[2]) : error instanceof TemplateParseError ? error.line : undefined, column: m?.[3] ? Number(m[3]) : undefined, message: error.message };
}

/**
 * The template playground: renders a target's message exactly as its worker does (the channel's
 * `build` from CHANNEL_DEFINITIONS with the runtime's TemplateSet), sends tests through the
 * target's queue, and lists what the queue holds for it. The config is read off the runtime at
 * each call, so a reload shows at once. Nothing it returns holds a secret of the config.
 */
@Injectable()
export class PlaygroundService {
  constructor(
    @Inject(RELAY_RUNTIME) private readonly runtime: RelayRuntime,
    private readonly queues: IngestQueues,
  ) {}

  targets(): { receivers: Array<{ name: string; targets: TargetView[] }>; examples: Array<{ id: string; label: string }> } {
    const receivers = [...this.runtime.config.receivers.values()].map((r) => ({ name: r.name, targets: r.targets.map((t) => this.view(t)) }));
    return { receivers, examples: EXAMPLES.map(({ id, label }) => ({ id, label })) };
  }

  example(id: string, targetName: string): string {
    const example = EXAMPLES.find((e) => e.id === id);
    if (!example) throw new NotFoundException(`no example "${id}"`);
    return JSON.stringify(example.notification(this.target(targetName).receiver), null, 2);
  }

  render(request: PlaygroundRequest): RenderResult {
    const { config, templates } = this.runtime;
    const target = this.target(request.target);
    const definition = definitionOf(target);
    const notes: string[] = [];
    const templateErrors: TemplateProblem[] = [];
    const overrides = this.overridesFor(target, request.templates);
    for (const [key, text] of Object.entries(overrides)) {
      try {
        templates.check(text);
      } catch (e) {
        if (!(e instanceof TemplateParseError)) throw e;
        templateErrors.push(problemOf(key, e));
      }
    }
    const parsed = this.parseNotification(request.notification);
    if (!parsed.ok || templateErrors.length) return { ok: false, notificationErrors: parsed.ok ? [] : parsed.errors, templateErrors, notes };
    const payload = parsed.payload;
    if (payload.status === 'resolved' && !target.sendResolved) notes.push('This target has send_resolved: false, so ingest queues no resolved notification for it; a test send goes out all the same.');
    const edited = { ...target, config: withTemplateOverrides(definition, target.config, overrides) };
    let message: unknown;
    try {
      message = definition.build(payload, edited, { templates, key: 'playground', relay: config });
    } catch (e) {
      if (!(e instanceof TemplateExecError) && !(e instanceof TemplateParseError)) {
        return { ok: false, notificationErrors: [], templateErrors: [{ field: '(message)', message: (e as Error).message }], notes };
      }
      return {
        ok: false,
        notificationErrors: [],
        templateErrors: this.failingFields(target, edited.config, payload, e as Error),
        fallback: 'A worker would send this notification with the channel\'s default templates instead, headed by a line naming this error, and count it as reason "template_fallback".',
        notes,
      };
    }
    return {
      ok: true,
      notificationErrors: [],
      templateErrors: [],
      preview: previewOf(target.channel as Channel, message),
      body: JSON.stringify(message, null, 2),
      size: sizeOf(target.channel as Channel, message, edited.config, payload, templates),
      notes,
    };
  }

  /** Queues the notification for the target as ingest would, with the edited templates in the job; the worker does the rest. */
  async testSend(request: PlaygroundRequest): Promise<{ jobId: string; queue: string; link: string }> {
    const target = this.target(request.target);
    const rendered = this.render(request);
    // Refused only what no worker could send: a notification ingest refuses, a template that does
    // not parse. One failing on this data goes, and shows the worker's fallback in the deliveries.
    if (rendered.notificationErrors.length || (!rendered.ok && !rendered.fallback && rendered.templateErrors.some((p) => p.line !== undefined))) {
      throw new BadRequestException([...rendered.notificationErrors, ...rendered.templateErrors.map((p) => `${p.field}: ${p.message}`)]);
    }
    const parsed = this.parseNotification(request.notification);
    if (!parsed.ok) throw new BadRequestException(parsed.errors);
    const overrides = this.overridesFor(target, request.templates);
    const queue = this.queues.byChannel[target.channel];
    const jobId = `playground-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
    const data: DeliveryJobData = {
      receiver: target.receiver,
      channel: target.channel,
      target: target.name,
      notification: parsed.payload,
      receivedAt: Date.now(),
      ...(Object.keys(overrides).length ? { templateOverrides: overrides } : {}),
    };
    await queue.add(target.name, data, { jobId });
    return { jobId, queue: queue.name, link: boardLink(queue.name, jobId) };
  }

  async deliveries(targetName: string): Promise<{ deliveries: DeliveryView[] }> {
    const target = this.target(targetName);
    const queue = this.queues.byChannel[target.channel];
    const states = ['active', 'delayed', 'waiting', 'completed', 'failed'] as const;
    const found = await Promise.all(
      states.map(async (state) => (await queue.getJobs([state], 0, SCAN_PER_STATE - 1)).filter((j): j is Job<DeliveryJobData> => !!j && j.data?.target === target.name).map((job) => ({ job, state }))),
    );
    const recent = found
      .flat()
      .sort((a, b) => lastMoment(b.job) - lastMoment(a.job))
      .slice(0, SHOWN_DELIVERIES);
    const deliveries = await Promise.all(
      recent.map(async ({ job, state }) => {
        const { outcome, reason } = await outcomeOf(job, state, () => queue.getJobLogs(job.id!, -1, -1));
        const n = job.data.notification;
        return {
          id: job.id!,
          state,
          outcome,
          reason,
          at: lastMoment(job),
          attempts: job.attemptsMade,
          test: !!job.data.templateOverrides || job.id!.startsWith('playground-'),
          summary: `${n.status} · ${n.alerts.length} alert${n.alerts.length === 1 ? '' : 's'} · ${Object.values(n.groupLabels ?? {}).join(', ') || n.groupKey}`,
          link: boardLink(queue.name, job.id!),
        };
      }),
    );
    return { deliveries };
  }

  /** A job's notification, to try the templates on; only a job of this target. */
  async jobNotification(targetName: string, jobId: string): Promise<string> {
    const target = this.target(targetName);
    const job = await this.queues.byChannel[target.channel].getJob(jobId);
    if (!job || job.data?.target !== target.name) throw new NotFoundException(`no job "${jobId}" of target "${target.name}"`);
    return JSON.stringify(job.data.notification, null, 2);
  }

  private target(name: string): ResolvedTarget {
    const target = typeof name === 'string' ? this.runtime.config.target(name) : undefined;
    if (!target) throw new NotFoundException(`target "${String(name)}" is not in the relay's config`);
    return target;
  }

  private view(target: ResolvedTarget): TargetView {
    const config = target.config as unknown as Record<string, unknown>;
    const destination: string[] = [];
    for (const key of URL_FIELDS) if (typeof config[key] === 'string') destination.push(`${key}: ${maskedUrl(config[key] as string)}`);
    for (const key of Object.keys(config)) if (key.endsWith('_file') && typeof config[key] === 'string') destination.push(`${key}: a file (not read here)`);
    for (const key of RECIPIENT_FIELDS) if (typeof config[key] === 'string' && config[key] !== '') destination.push(`${key}: ${config[key] as string}`);
    // What the rate window and Redis keys are named by: targets sharing a robot show the same one.
    const scope = definitionOf(target).rateScope?.(target, this.runtime.config);
    if (scope) destination.push(`rate scope: ${scope}`);
    return { name: target.name, receiver: target.receiver, channel: target.channel as Channel, sendResolved: target.sendResolved, destination, fields: templateFields(target) };
  }

  /** The edited fields the target has as content templates, each within bounds; anything else is refused by name. */
  private overridesFor(target: ResolvedTarget, templates: unknown): Record<string, string> {
    if (templates === undefined) return {};
    if (!templates || typeof templates !== 'object' || Array.isArray(templates)) throw new BadRequestException(['templates must be an object of template texts']);
    const definition = definitionOf(target);
    const out: Record<string, string> = {};
    const errors: string[] = [];
    for (const [key, value] of Object.entries(templates)) {
      if (typeof value !== 'string') errors.push(`templates.${key} must be a string`);
      else if (value.length > MAX_TEMPLATE_CHARS) errors.push(`templates.${key} is over ${MAX_TEMPLATE_CHARS} characters`);
      else if (!isContentTemplate(definition, target.config, key)) errors.push(`templates.${key} is not a content template of a ${target.channel} target`);
      else out[key] = value;
    }
    if (errors.length) throw new BadRequestException(errors);
    return out;
  }

  /** Ingest's own validation, with the config's max_alerts: the same reasons, naming the field. */
  private parseNotification(text: unknown): { ok: true; payload: WebhookPayload } | { ok: false; errors: string[] } {
    if (typeof text !== 'string') return { ok: false, errors: ['notification must be the JSON text of an Alertmanager webhook notification'] };
    if (text.length > this.runtime.config.ingest.bodyLimitBytes) return { ok: false, errors: [`notification is over ingest.body_limit (${this.runtime.config.ingest.bodyLimitBytes} bytes)`] };
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (e) {
      return { ok: false, errors: [`notification is not JSON: ${(e as Error).message}`] };
    }
    const parsed = parseWebhookPayload(body, { ...DEFAULT_PAYLOAD_LIMITS, maxAlerts: this.runtime.config.ingest.maxAlerts });
    return parsed.ok ? { ok: true, payload: parsed.payload } : { ok: false, errors: parsed.errors };
  }

  /** Which content templates fail on this data, each with its error's line; the whole message's error when none does alone. */
  private failingFields(target: ResolvedTarget, config: unknown, payload: WebhookPayload, error: Error): TemplateProblem[] {
    const data = templateData(payload);
    const problems: TemplateProblem[] = [];
    for (const field of templateFields({ ...target, config: config as ResolvedTarget['config'] })) {
      if (field.value === null) continue;
      try {
        this.runtime.templates.render(field.value, data);
      } catch (e) {
        problems.push(problemOf(field.key, e as Error));
      }
    }
    return problems.length ? problems : [problemOf('(message)', error)];
  }
}

/** The target's content templates (isContentTemplate): every field its channel's defaults reset, and the Subject header where it has headers. */
export function templateFields(target: ResolvedTarget): TemplateField[] {
  const definition = definitionOf(target);
  const config = target.config as unknown as Record<string, unknown>;
  const defaults = new definition.config.configClass() as unknown as Record<string, unknown>;
  const reset = definition.withDefaultTemplates(target.config) as unknown as Record<string, unknown>;
  const candidates = new Set([...Object.keys(config), ...Object.keys(reset)]);
  const fields: TemplateField[] = [];
  for (const key of candidates) {
    const value = config[key];
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      // Alertmanager's email Subject is a header with a default, so it is offered even when unset.
      const entries = new Set([...Object.keys(value), ...(key === 'headers' ? ['Subject'] : [])]);
      for (const entry of entries) {
        const nested = `${key}.${entry}`;
        if (!isContentTemplate(definition, config, nested)) continue;
        const v = (value as Record<string, unknown>)[entry];
        fields.push({ key: nested, value: typeof v === 'string' ? v : null, default: null });
      }
    } else if (isContentTemplate(definition, config, key)) {
      fields.push({ key, value: typeof value === 'string' ? value : null, default: typeof defaults[key] === 'string' ? (defaults[key] as string) : null });
    }
  }
  return fields;
}

/** The channel's definition; a target only exists for a channel CHANNEL_DEFINITIONS has (config loading reads it). */
const definitionOf = (target: ResolvedTarget): ChannelDefinition => CHANNEL_DEFINITIONS[target.channel as Channel];
const boardLink = (queue: string, jobId: string) => `/queues/queue/${encodeURIComponent(queue)}/${encodeURIComponent(jobId)}`;
const lastMoment = (job: Job) => job.finishedOn ?? job.processedOn ?? job.timestamp;

/** What became of a job, in the words the worker used (its result, its failed reason, the last line of its log). */
async function outcomeOf(job: Job<DeliveryJobData>, state: string, lastLog: () => Promise<{ logs: string[] }>): Promise<{ outcome: string; reason: string }> {
  if (state === 'completed') {
    const r = (job.returnvalue ?? {}) as Record<string, any>;
    if (r.carriedBy) return { outcome: 'delivered', reason: `in the digest message of job ${r.carriedBy}${r.superseded ? ' (superseded by a newer notification of its group)' : ''}` };
    if (r.templateFallback) return { outcome: 'delivered', reason: `with the default template: ${r.templateFallback}` };
    if (r.digest) return { outcome: 'delivered', reason: `a digest of ${r.digest.notifications} notifications in ${r.digest.messages} message${r.digest.messages === 1 ? '' : 's'}` };
    return { outcome: 'delivered', reason: 'ok' };
  }
  if (state === 'failed') return { outcome: 'failed', reason: job.failedReason ?? '' };
  const line = (await lastLog().catch(() => ({ logs: [] as string[] }))).logs.pop();
  if (state === 'delayed') return { outcome: 'waiting', reason: line ?? `until ${new Date(job.timestamp + (job.delay ?? 0)).toISOString()}` };
  if (state === 'active') return { outcome: 'sending', reason: line ?? 'being sent now' };
  return { outcome: 'queued', reason: line ?? 'waiting for a worker' };
}
