import type { WebhookPayload } from '@relay/models';
import { DigestPart, packDigest } from './digest';

/** A digest message and where it goes: the destination its notifications rendered. */
export interface RoutedDigestPart extends DigestPart {
  destination: string;
}

/**
 * packDigest for a target whose destination is itself a template (an email `to`, a Slack
 * `channel`): rendered on a digest's merged data it could name nobody, or someone else, since
 * `.CommonLabels` of mixed notifications keep only what they share. So each notification's
 * destination is rendered from its own data, as its single message would be, notifications going
 * to the same place are packed together, and every message keeps the indexes of the notifications
 * as given. Destinations come in the order their first notification does.
 *
 * A notification whose destination cannot be rendered (`destinationOf` throws) is left out of
 * every message, so it completes nothing and its job goes on waiting; sent on its own it fails
 * with that error. Failing the whole digest instead would fail the sending job for another
 * job's bad data, and then the next sender, and the next. Only when no destination renders does
 * the first error propagate.
 */
export function packDigestByDestination(
  notifications: WebhookPayload[],
  destinationOf: (notification: WebhookPayload) => string,
  fits: (part: WebhookPayload, destination: string) => boolean,
): RoutedDigestPart[] {
  const groups = new Map<string, number[]>();
  let firstError: { error: unknown } | undefined;
  notifications.forEach((n, i) => {
    let destination: string;
    try {
      destination = destinationOf(n);
    } catch (error) {
      firstError ??= { error };
      return;
    }
    groups.set(destination, [...(groups.get(destination) ?? []), i]);
  });
  if (!groups.size && firstError) throw firstError.error;
  return [...groups].flatMap(([destination, indexes]) =>
    packDigest(
      indexes.map((i) => notifications[i]),
      (part) => fits(part, destination),
    ).map(({ payload, completes }) => ({ destination, payload, completes: completes.map((j) => indexes[j]) })),
  );
}
