import type { Alert, LabelSet, WebhookPayload } from '@relay/models';

/**
 * A digest is rendered like any notification: one payload whose `.Alerts` are the alerts of every
 * notification it carries (firing ones first), whose `.CommonLabels` and `.CommonAnnotations` are
 * what all of them share, and whose `.GroupLabels` are empty (they came from different groups). So
 * a digest template is an ordinary Alertmanager template, previewable with `template render`.
 */
export function digestPayload(alerts: Alert[], like: WebhookPayload): WebhookPayload {
  return {
    version: '4',
    groupKey: `digest:${like.groupKey}`,
    truncatedAlerts: 0,
    status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    receiver: like.receiver,
    groupLabels: {},
    commonLabels: shared(alerts.map((a) => a.labels)),
    commonAnnotations: shared(alerts.map((a) => a.annotations)),
    externalURL: like.externalURL,
    alerts,
  };
}

function shared(sets: LabelSet[]): LabelSet {
  if (!sets.length) return {};
  const common: LabelSet = { ...sets[0] };
  for (const set of sets.slice(1)) {
    for (const key of Object.keys(common)) if (set[key] !== common[key]) delete common[key];
  }
  return common;
}

/** One message of a digest: the alerts it shows, and which notifications it is the last to show. */
export interface DigestPart {
  payload: WebhookPayload;
  /** Indexes (into the notifications packed) of those whose every alert has now been shown. */
  completes: number[];
}

/**
 * Splits the alerts of several notifications into as few messages as `fits` allows, keeping the
 * order a reader needs: every firing alert (notification by notification) before any resolved one.
 * Each message takes the longest run of alerts that fits; a single alert that does not fit alone
 * still gets a message of its own, and the channel's builder then shortens it as it shortens any
 * notification (the alert counted on a "… and 1 more" line). A notification is complete at the
 * message showing its last alert, so one whose alerts span two messages is carried only once the
 * second is sent.
 */
export function packDigest(notifications: WebhookPayload[], fits: (part: WebhookPayload) => boolean): DigestPart[] {
  const flat: Array<{ alert: Alert; source: number }> = [];
  notifications.forEach((n, source) => n.alerts.forEach((alert) => alert.status === 'firing' && flat.push({ alert, source })));
  notifications.forEach((n, source) => n.alerts.forEach((alert) => alert.status !== 'firing' && flat.push({ alert, source })));
  const last = new Map<number, number>();
  flat.forEach(({ source }, i) => last.set(source, i));
  const like = notifications[notifications.length - 1];
  const partOf = (from: number, to: number) => digestPayload(flat.slice(from, to).map((x) => x.alert), like);

  const parts: DigestPart[] = [];
  // Notifications without alerts (a sender other than Alertmanager) are complete with the first message.
  const empty = notifications.map((n, i) => (n.alerts.length ? -1 : i)).filter((i) => i >= 0);
  let from = 0;
  while (from < flat.length) {
    // Grow the run by doubling, then binary-search the longest that fits: O(log n) renderings per message.
    let good = 1;
    let bad = flat.length - from + 1;
    if (fits(partOf(from, from + 1))) {
      let probe = 2;
      while (probe < bad && fits(partOf(from, from + probe))) {
        good = probe;
        probe *= 2;
      }
      bad = Math.min(bad, probe);
      while (bad - good > 1) {
        const mid = (good + bad) >> 1;
        if (fits(partOf(from, from + mid))) good = mid;
        else bad = mid;
      }
    }
    const to = from + good;
    const completes = [...last].filter(([, at]) => at >= from && at < to).map(([source]) => source);
    parts.push({ payload: partOf(from, to), completes: parts.length ? completes : [...empty, ...completes] });
    from = to;
  }
  if (!parts.length) parts.push({ payload: partOf(0, 0), completes: empty });
  return parts;
}
