import type { WebhookPayload } from '@relay/models';

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

export const defaultMoreLine = (dropped: number): string => `\n… and ${dropped} more`;

/**
 * Renders with as many whole alerts as fit in maxBytes (UTF-8), keeping the payload's order
 * (firing first when the template lists them so), and appends moreLine(n) for the n dropped.
 * If even zero alerts do not fit, the zero-alert rendering plus its line is cut at a character boundary.
 */
export function renderWithinBytes(
  payload: WebhookPayload,
  maxBytes: number,
  render: (p: WebhookPayload) => string,
  moreLine: (dropped: number) => string = defaultMoreLine,
): string {
  const full = render(payload);
  if (utf8ByteLength(full) <= maxBytes) return full;
  const total = payload.alerts.length;
  const attempt = (k: number): string => render({ ...payload, alerts: payload.alerts.slice(0, k) }) + moreLine(total - k);
  // binary search the largest k < total whose rendering fits
  let lo = 0;
  let hi = total - 1;
  let best: string | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const out = attempt(mid);
    if (utf8ByteLength(out) <= maxBytes) {
      best = out;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (best !== undefined) return best;
  return truncateUtf8(attempt(0), maxBytes);
}
