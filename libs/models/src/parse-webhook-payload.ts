import { validateSync, ValidationError } from 'class-validator';
import { flattenValidationErrors } from './validation-issues';
import { AlertDto, WebhookPayload, WebhookPayloadDto } from './webhook-payload.dto';

export type ParsedPayload = { ok: true; payload: WebhookPayload } | { ok: false; errors: string[] };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Built once rather than per request (class-validator only reads it). */
const VALIDATE = { forbidUnknownValues: false } as const;

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

/**
 * One reason per field. class-validator runs a field's nested check even when its own check
 * failed: `alerts: "bad"` is both "not an array" and "not an object (or a list of objects)",
 * which says the same thing twice. A field that failed its own check loses the nested reason and
 * its children. Only the error path runs this, so a valid notification pays nothing for it.
 */
function oneReasonPerField(errors: ValidationError[]): ValidationError[] {
  for (const error of errors) {
    const constraints = error.constraints;
    if (constraints && 'nestedValidation' in constraints && Object.keys(constraints).length > 1) {
      delete constraints.nestedValidation;
      error.children = [];
    }
    if (error.children?.length) oneReasonPerField(error.children);
  }
  return errors;
}

/** Validates an Alertmanager webhook body; every problem is reported as `path reason`. Unknown fields are kept. */
export function parseWebhookPayload(body: unknown): ParsedPayload {
  if (!isObject(body)) return { ok: false, errors: ['body must be a JSON object (an Alertmanager webhook notification)'] };
  const dto = toDto(body);
  const errors = validateSync(dto, VALIDATE);
  if (!errors.length) return { ok: true, payload: { ...dto } as unknown as WebhookPayload };
  const issues = flattenValidationErrors(oneReasonPerField(errors));
  // Reads like class-validator's own messages (`alerts must be an array`), with the full path.
  return { ok: false, errors: issues.map((i) => `${i.path} ${i.message}`) };
}
