import { validateSync } from 'class-validator';
import { flattenValidationErrors } from './validation-issues';
import { AlertDto, WebhookPayload, WebhookPayloadDto } from './webhook-payload.dto';

export type ParsedPayload = { ok: true; payload: WebhookPayload } | { ok: false; errors: string[] };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The DTO instances class-validator checks, with the DTOs' defaults for absent fields. This is
 * what class-transformer's plainToInstance would build for this flat shape, at about half the
 * cost of the whole validation on the ingest hot path.
 */
function toDto(body: Record<string, unknown>): WebhookPayloadDto {
  const dto = Object.assign(new WebhookPayloadDto(), body);
  if (Array.isArray(body.alerts)) dto.alerts = body.alerts.map((a) => (isObject(a) ? Object.assign(new AlertDto(), a) : a));
  return dto;
}

/** Validates an Alertmanager webhook body; every problem is reported as `path reason`. Unknown fields are kept. */
export function parseWebhookPayload(body: unknown): ParsedPayload {
  if (!isObject(body)) return { ok: false, errors: ['body must be a JSON object (an Alertmanager webhook notification)'] };
  const dto = toDto(body);
  const issues = flattenValidationErrors(validateSync(dto, { forbidUnknownValues: false }));
  // Reads like class-validator's own messages (`alerts must be an array`), with the full path.
  if (issues.length) return { ok: false, errors: issues.map((i) => `${i.path} ${i.message}`) };
  return { ok: true, payload: { ...dto } as unknown as WebhookPayload };
}
