import { joinPath } from './validation-issues';

/**
 * Bounds on a notification's shape, checked before any recursive or per-alert work.
 *
 * The body limit bounds bytes, not shape: 20 KB of `[` nests ten thousand arrays, which
 * overflowed class-validator's stack (500) and BullMQ's JSON.stringify (a 503 that Alertmanager
 * retried forever), and 300 KB of `{}` is a hundred thousand alerts, which took class-validator
 * seconds and hundreds of megabytes to refuse. A body inside these bounds costs time and memory
 * in proportion to its size, and nothing after this check can recurse deeper than maxDepth.
 */
export interface PayloadLimits {
  /** Arrays and objects within one another, the body itself being level 1. */
  maxDepth: number;
  /** Alerts in one notification (`ingest.max_alerts`). */
  maxAlerts: number;
  /** Entries of one label or annotation set (an alert's, or the common and group ones). */
  maxLabelsPerSet: number;
  /** Characters (UTF-16 code units) of a label or annotation name. */
  maxLabelNameLength: number;
  /** Characters (UTF-16 code units) of a label or annotation value. */
  maxLabelValueLength: number;
}

/**
 * Far above anything Alertmanager sends, so no real notification meets them:
 * - depth 32: a notification is 4 deep (body → alerts → alert → labels); unknown fields from newer
 *   Alertmanagers or other senders get 28 more levels;
 * - 10,000 alerts: Alertmanager sends every alert of a group (max_alerts 0); groups of thousands
 *   happen in outages, tens of thousands are a runaway rule, better truncated by Alertmanager's own
 *   max_alerts (configurable here as ingest.max_alerts);
 * - 256 labels or annotations: Prometheus alerts carry tens; Prometheus's own label_limit is
 *   usually set lower than this;
 * - names of 1 KiB: label names are identifiers (Kubernetes-derived ones reach a few hundred);
 * - values of 16 KiB: long descriptions, runbooks and log excerpts in annotations fit, and no chat
 *   platform shows more of one message (DingTalk takes 20,000 bytes for the whole message).
 */
export const DEFAULT_PAYLOAD_LIMITS: Readonly<PayloadLimits> = Object.freeze({
  maxDepth: 32,
  maxAlerts: 10_000,
  maxLabelsPerSet: 256,
  maxLabelNameLength: 1024,
  maxLabelValueLength: 16 * 1024,
});

const LABEL_SET_FIELDS = ['groupLabels', 'commonLabels', 'commonAnnotations'] as const;
const ALERT_LABEL_SET_FIELDS = ['labels', 'annotations'] as const;

const isContainer = (value: unknown): value is object => typeof value === 'object' && value !== null;
const isPlainObject = (value: unknown): value is Record<string, unknown> => isContainer(value) && !Array.isArray(value);

/**
 * The first bound the body breaks, as a `path reason` sentence naming the rule, or undefined.
 * Iterative and linear in the size of the body. Types are not judged here (the schema does that,
 * with a reason per field): a label set that is not an object, or a value that is not a string,
 * passes this check and is refused by the schema.
 */
export function payloadLimitViolation(body: Record<string, unknown>, limits: PayloadLimits = DEFAULT_PAYLOAD_LIMITS): string | undefined {
  const alerts = body.alerts;
  if (Array.isArray(alerts) && alerts.length > limits.maxAlerts) {
    return `alerts must hold at most ${limits.maxAlerts} alerts (ingest.max_alerts); this notification has ${alerts.length}`;
  }
  const tooDeep = fieldNestedDeeperThan(body, limits.maxDepth);
  if (tooDeep !== undefined) return `${tooDeep} is nested too deep: arrays and objects may nest at most ${limits.maxDepth} levels (the body being the first)`;
  for (const field of LABEL_SET_FIELDS) {
    const violation = labelSetViolation(body[field], field, limits);
    if (violation) return violation;
  }
  if (!Array.isArray(alerts)) return undefined;
  for (let i = 0; i < alerts.length; i++) {
    const alert = alerts[i];
    if (!isPlainObject(alert)) continue;
    for (const field of ALERT_LABEL_SET_FIELDS) {
      const violation = labelSetViolation(alert[field], `alerts[${i}].${field}`, limits);
      if (violation) return violation;
    }
  }
  return undefined;
}

/**
 * The top-level field under which arrays and objects nest deeper than maxDepth, if one does.
 * An explicit stack instead of recursion, so no depth of input can overflow the call stack; the
 * depth of each pending node is kept in a parallel array of numbers rather than in an object per
 * node, so a body of a million tiny arrays does not also cost a million small allocations.
 */
function fieldNestedDeeperThan(body: Record<string, unknown>, maxDepth: number): string | undefined {
  const pending: object[] = [];
  const depths: number[] = [];
  for (const field in body) {
    const top = body[field];
    if (!isContainer(top)) continue;
    pending.push(top);
    depths.push(2);
    while (pending.length > 0) {
      const node = pending.pop()!;
      const depth = depths.pop()!;
      if (depth > maxDepth) return field;
      if (Array.isArray(node)) {
        for (let i = 0; i < node.length; i++) {
          const child: unknown = node[i];
          if (isContainer(child)) {
            pending.push(child);
            depths.push(depth + 1);
          }
        }
      } else {
        for (const key in node) {
          const child: unknown = (node as Record<string, unknown>)[key];
          if (isContainer(child)) {
            pending.push(child);
            depths.push(depth + 1);
          }
        }
      }
    }
  }
  return undefined;
}

function labelSetViolation(set: unknown, path: string, limits: PayloadLimits): string | undefined {
  if (!isPlainObject(set)) return undefined;
  let entries = 0;
  for (const name in set) {
    if (++entries > limits.maxLabelsPerSet) return `${path} must have at most ${limits.maxLabelsPerSet} entries`;
    if (name.length > limits.maxLabelNameLength) return `${path} names must be at most ${limits.maxLabelNameLength} characters long`;
    const value = set[name];
    if (typeof value === 'string' && value.length > limits.maxLabelValueLength) {
      return `${joinPath(path, name)} must be at most ${limits.maxLabelValueLength} characters long`;
    }
  }
  return undefined;
}
