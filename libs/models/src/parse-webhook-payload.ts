import { validateSync } from './class-validator';
import { DEFAULT_PAYLOAD_LIMITS, PayloadLimits, payloadLimitViolation } from './payload-limits';
import { flattenValidationErrors } from './validation-issues';
import { AlertDto, WebhookPayload, WebhookPayloadDto } from './webhook-payload.dto';

export type ParsedPayload = { ok: true; payload: WebhookPayload } | { ok: false; errors: string[] };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Built once rather than per request (class-validator only reads it). */
const VALIDATE = { forbidUnknownValues: false } as const;

/**
 * A 400 lists at most this many reasons. Enough to fix a sender; a body of ten thousand broken
 * alerts is refused after about a hundred of them are judged, not after all ten thousand (which
 * took class-validator hundreds of milliseconds and tens of megabytes).
 */
export const MAX_REASONS = 100;

/** The fields the DTOs declare, the only ones copied onto them (see the DTO's note on unknown fields). */
const PAYLOAD_FIELDS = ['version', 'groupKey', 'truncatedAlerts', 'status', 'receiver', 'groupLabels', 'commonLabels', 'commonAnnotations', 'externalURL', 'alerts'] as const;
const ALERT_FIELDS = ['status', 'labels', 'annotations', 'startsAt', 'endsAt', 'generatorURL', 'fingerprint'] as const;

/**
 * A DTO instance holding the body's values of the declared fields, and the class's defaults for
 * those it leaves out. Only declared names are assigned: copying every key (Object.assign) let a
 * body's `constructor` or `__proto__` field replace what class-validator reads the class from,
 * which switched validation off for that object.
 */
function declaredFieldsOnto<T extends object>(dto: T, source: Record<string, unknown>, fields: readonly (keyof T & string)[]): T {
  for (const field of fields) if (Object.hasOwn(source, field)) (dto as Record<string, unknown>)[field] = source[field];
  return dto;
}

/**
 * Validates an Alertmanager webhook body; every problem is reported as `path reason` (at most
 * MAX_REASONS of them). Unknown fields are kept, as own properties whatever their name.
 *
 * The shape bounds come first (iteratively, in time linear in the body), so class-validator and
 * everything after it (job serialisation, templates) only ever see a bounded body.
 */
export function parseWebhookPayload(body: unknown, limits: PayloadLimits = DEFAULT_PAYLOAD_LIMITS): ParsedPayload {
  if (!isObject(body)) return { ok: false, errors: ['body must be a JSON object (an Alertmanager webhook notification)'] };
  const violation = payloadLimitViolation(body, limits);
  if (violation) return { ok: false, errors: [violation] };

  const dto = declaredFieldsOnto(new WebhookPayloadDto(), body, PAYLOAD_FIELDS);
  // Reads like class-validator's own messages (`alerts must be an array`), with the full path.
  const errors = flattenValidationErrors(validateSync(dto, VALIDATE)).map((i) => `${i.path} ${i.message}`);
  const rawAlerts = Array.isArray(body.alerts) ? (body.alerts as unknown[]) : [];
  const alerts: AlertDto[] = new Array(rawAlerts.length);
  let judged = 0;
  for (; judged < rawAlerts.length && errors.length < MAX_REASONS; judged++) {
    const raw = rawAlerts[judged];
    if (!isObject(raw)) {
      errors.push(`alerts[${judged}] must be an object`);
      continue;
    }
    const alert = declaredFieldsOnto(new AlertDto(), raw, ALERT_FIELDS);
    const alertErrors = validateSync(alert, VALIDATE);
    if (alertErrors.length) for (const i of flattenValidationErrors(alertErrors, undefined, `alerts[${judged}]`)) errors.push(`${i.path} ${i.message}`);
    alerts[judged] = alert;
  }
  if (errors.length) {
    if (errors.length > MAX_REASONS || judged < rawAlerts.length) {
      errors.length = Math.min(errors.length, MAX_REASONS);
      errors.push(`… and possibly more: only the first ${MAX_REASONS} problems are listed`);
    }
    return { ok: false, errors };
  }
  // Spreads define own properties (a `__proto__` key stays a key, as JSON.parse made it) and keep
  // the body's unknown fields beside the validated ones with their defaults.
  const payload = { ...body, ...dto, alerts: alerts.map((alert, i) => ({ ...(rawAlerts[i] as object), ...alert })) };
  return { ok: true, payload: payload as unknown as WebhookPayload };
}
