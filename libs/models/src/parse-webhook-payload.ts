import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { flattenValidationErrors } from './validation-issues';
import { WebhookPayload, WebhookPayloadDto } from './webhook-payload.dto';

export type ParsedPayload = { ok: true; payload: WebhookPayload } | { ok: false; errors: string[] };

/** Validates an Alertmanager webhook body; every problem is reported as `path: reason`. Unknown fields are kept. */
export function parseWebhookPayload(body: unknown): ParsedPayload {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, errors: ['body must be a JSON object (an Alertmanager webhook notification)'] };
  }
  const dto = plainToInstance(WebhookPayloadDto, body, { exposeDefaultValues: true });
  const issues = flattenValidationErrors(validateSync(dto, { forbidUnknownValues: false }));
  // Reads like class-validator's own messages (`alerts must be an array`), with the full path.
  if (issues.length) return { ok: false, errors: issues.map((i) => `${i.path} ${i.message}`) };
  return { ok: true, payload: { ...dto } as unknown as WebhookPayload };
}
