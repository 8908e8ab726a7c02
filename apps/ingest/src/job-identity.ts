import type { WebhookPayload } from '@relay/models';
import { createHash } from 'node:crypto';

/**
 * Two notifications are the same delivery when they go to the same target with the same group,
 * status and alert states. Alertmanager HA peers and retries send exactly such duplicates; a
 * changed alert (new one, resolved one, new endsAt) makes a new identity.
 */
export function deliveryIdentity(receiver: string, target: string, payload: WebhookPayload): string {
  const alerts = payload.alerts
    // A sender other than Alertmanager may leave fingerprint out; the label set identifies the alert then.
    .map((a) => `${a.fingerprint || JSON.stringify(Object.entries(a.labels).sort())}|${a.status}|${a.endsAt}`)
    .sort()
    .join(',');
  return createHash('sha256')
    .update(JSON.stringify([receiver, target, payload.groupKey, payload.status, alerts]))
    .digest('hex')
    .slice(0, 32);
}
