import type { WebhookPayload } from '@relay/models';
import { templateData } from './alertmanager/data';
import type { TemplateSet } from './template-set';

const enc = new TextEncoder();

export function utf8ByteLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** The longest prefix of `text` of at most maxBytes UTF-8 bytes, cut at a character boundary. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (maxBytes <= 0) return '';
  if (text.length <= maxBytes / 3 || utf8ByteLength(text) <= maxBytes) return text;
  const bytes = enc.encode(text);
  let end = maxBytes;
  // back up to the start of a UTF-8 sequence
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  return Buffer.from(bytes.subarray(0, end)).toString('utf8');
}

/** How many alerts of each status a shortened rendering left out. */
export interface OmittedAlerts {
  firing: number;
  resolved: number;
}

/** The line appended to a shortened rendering; `dropped` is every alert left out (omitted.firing + omitted.resolved). */
export type MoreLine = (dropped: number, omitted: OmittedAlerts) => string;

export interface FitOptions {
  moreLine?: MoreLine;
  /**
   * The set the text is rendered with: where it defines the count templates the defaults share
   * (`__relay.title`, `__relay.counts`), their output in a shortened text still counts every alert.
   */
  countTemplates?: TemplateSet;
  /** The size compared with the limit; UTF-8 bytes unless the limit counts otherwise (e.g. JSON-escaped bytes). */
  measure?: (text: string) => number;
}

const moreOf = (n: number, status: string) => `${n} more ${status} alert${n === 1 ? '' : 's'}`;

/** "3 more firing, 200 more resolved alerts": what a shortened rendering left out, by status. */
function omittedAlertsText({ firing, resolved }: OmittedAlerts): string {
  if (firing && resolved) return `${firing} more firing, ${moreOf(resolved, 'resolved')}`;
  return firing ? moreOf(firing, 'firing') : moreOf(resolved, 'resolved');
}

/** "\n… and 3 more firing, 200 more resolved alerts" (the counts a default template shows are of every alert). */
export const defaultMoreLine: MoreLine = (_dropped, omitted) => `\n… and ${omittedAlertsText(omitted)}`;

/** The templates of the defaults whose output states how many alerts a notification has. */
const COUNT_TEMPLATE_NAMES = ['__relay.title', '__relay.counts'];

/**
 * Renders with as many whole alerts as fit in maxBytes, and appends moreLine for those dropped.
 * Firing alerts are kept first (in payload order), resolved ones only in the room left: Alertmanager
 * orders alerts by labels, not status, so keeping a payload prefix could show only resolved alerts
 * of a notification that fires. The kept alerts are listed in that order too, so a template that
 * lists `.Alerts` as they come still shows what fires first.
 * If even zero alerts do not fit, the zero-alert rendering plus its line is cut at a character boundary.
 */
export function renderWithinBytes(
  payload: WebhookPayload,
  maxBytes: number,
  render: (p: WebhookPayload) => string,
  { moreLine = defaultMoreLine, countTemplates, measure = utf8ByteLength }: FitOptions = {},
): string {
  const full = render(payload);
  if (measure(full) <= maxBytes) return full;
  const firing = payload.alerts.filter((a) => a.status === 'firing');
  const firingFirst = [...firing, ...payload.alerts.filter((a) => a.status !== 'firing')];
  const total = firingFirst.length;
  const countsOf = countTemplates ? countRenderings(countTemplates) : () => [];
  const countsOfAll = countsOf(payload);
  const attempt = (k: number): string => {
    const shown = { ...payload, alerts: firingFirst.slice(0, k) };
    const omitted = { firing: Math.max(firing.length - k, 0), resolved: total - Math.max(k, firing.length) };
    return withCountsOfAll(render(shown), countsOf(shown), countsOfAll) + moreLine(total - k, omitted);
  };
  // binary search the largest k < total whose rendering fits
  let lo = 0;
  let hi = total - 1;
  let best: string | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const out = attempt(mid);
    if (measure(out) <= maxBytes) {
      best = out;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (best !== undefined) return best;
  return cutToFit(attempt(0), maxBytes, measure);
}

/** For a payload, what each count template the set defines renders (empty when it fails: the text may not use it). */
function countRenderings(templates: TemplateSet): (p: WebhookPayload) => string[] {
  const names = COUNT_TEMPLATE_NAMES.filter((name) => templates.has(name));
  return (p) => {
    const data = templateData(p);
    return names.map((name) => {
      try {
        return templates.execute(name, data);
      } catch {
        return '';
      }
    });
  };
}

/**
 * Why the counts are patched into the text instead of handed to the template: templates count
 * with `len .Alerts.Firing`, and Go's len and range read the same slice, so no data can list some
 * alerts while counting all; a new data field would need templates of its own (and break copies of
 * them run in Alertmanager). The defaults state counts only through __relay.title and
 * __relay.counts, which head the text; so the first rendering of each for the shown alerts, in
 * order, is replaced by its rendering for all alerts. A template that counts by other means keeps
 * counting what it shows; the more line still says what was left out.
 */
function withCountsOfAll(text: string, countsOfShown: string[], countsOfAll: string[]): string {
  let from = 0;
  countsOfShown.forEach((shown, i) => {
    const all = countsOfAll[i];
    const at = shown === '' ? -1 : text.indexOf(shown, from);
    if (at < 0) return;
    text = text.slice(0, at) + all + text.slice(at + shown.length);
    from = at + all.length;
  });
  return text;
}

/** The longest prefix of whole characters (code points) whose measure is at most max. */
export function cutToFit(text: string, max: number, measure: (text: string) => number): string {
  if (measure(text) <= max) return text;
  const chars = Array.from(text);
  let lo = 0;
  let hi = chars.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (measure(chars.slice(0, mid).join('')) <= max) lo = mid;
    else hi = mid - 1;
  }
  return chars.slice(0, lo).join('');
}
