import type { Alert, LabelSet, WebhookPayload } from '@relay/models';

/** The body Alertmanager's webhook notifier posts (notify/webhook/webhook.go `Message`). */
export type WebhookMessage = WebhookPayload;

/** The order Go's encoder writes `Message` in: template.Data's fields, then version, groupKey, truncatedAlerts. */
const GO_FIELD_ORDER = ['receiver', 'status', 'alerts', 'notification_reason', 'groupLabels', 'commonLabels', 'commonAnnotations', 'routeLabels', 'externalURL', 'version', 'groupKey', 'truncatedAlerts'];

/** The labels (or annotations) every alert has with the same value, as template.Data computes them. */
function common(alerts: Alert[], of: (a: Alert) => LabelSet): LabelSet {
  if (!alerts.length) return {};
  const shared: LabelSet = { ...of(alerts[0]) };
  for (const alert of alerts.slice(1)) for (const [k, v] of Object.entries(shared)) if (of(alert)[k] !== v) delete shared[k];
  return shared;
}

/**
 * What Alertmanager would post to this webhook for the notification: without resolved alerts when
 * the target does not send them (notify.go's RetryStage), at most `max_alerts` alerts with the
 * rest counted in `truncatedAlerts` (added to any the sending Alertmanager already left out), and
 * status and common labels computed over the alerts that remain, as GetTemplateData does after
 * truncating. A notification that needs none of this goes out exactly as it came in.
 */
export function buildWebhookMessage(notification: WebhookPayload, maxAlerts: number, sendResolved: boolean): WebhookMessage {
  const kept = sendResolved ? notification.alerts : notification.alerts.filter((a) => a.status === 'firing');
  const sent = maxAlerts > 0 && kept.length > maxAlerts ? kept.slice(0, maxAlerts) : kept;
  const recomputed =
    sent.length === notification.alerts.length
      ? {}
      : {
          status: sent.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
          commonLabels: common(sent, (a) => a.labels),
          commonAnnotations: common(sent, (a) => a.annotations),
        };
  const body: Record<string, unknown> = { ...notification, ...recomputed, alerts: sent, version: '4', truncatedAlerts: (notification.truncatedAlerts ?? 0) + (kept.length - sent.length) };
  // fromEntries defines own properties: a body's `__proto__` key stays a key, as the payload kept it.
  const known = GO_FIELD_ORDER.filter((key) => Object.hasOwn(body, key));
  const rest = Object.keys(body).filter((key) => !GO_FIELD_ORDER.includes(key));
  return Object.fromEntries([...known, ...rest].map((key) => [key, body[key]])) as WebhookMessage;
}
