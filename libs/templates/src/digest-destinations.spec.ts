import { notification } from '@relay/testing';
import type { WebhookPayload } from '@relay/models';
import { packDigestByDestination } from './digest-destinations';

function single(name: string, team: string, status: 'firing' | 'resolved' = 'firing'): WebhookPayload {
  const n = notification({ groupKey: `g-${name}`, status, commonLabels: { alertname: name, team } });
  n.alerts[0].labels = { alertname: name, team };
  return n;
}

const names = (part: { payload: WebhookPayload }) => part.payload.alerts.map((a) => a.labels.alertname);
const teamOf = (n: WebhookPayload) => `${n.commonLabels.team}@example.com`;

describe('packDigestByDestination', () => {
  it('packs each destination apart, in the order its first notification comes, with indexes into the notifications given', () => {
    const notifications = [single('a', 'db'), single('b', 'web'), single('c', 'db', 'resolved'), single('d', 'db'), single('e', 'web')];
    const parts = packDigestByDestination(notifications, teamOf, () => true);
    expect(parts.map((p) => [p.destination, names(p), p.completes.sort()])).toEqual([
      // Within a destination firing alerts still come first (packDigest's order).
      ['db@example.com', ['a', 'd', 'c'], [0, 2, 3]],
      ['web@example.com', ['b', 'e'], [1, 4]],
    ]);
  });

  it('splits a destination as its fits says, and tells fits which destination it measures for', () => {
    const notifications = [single('a', 'db'), single('b', 'web'), single('c', 'db'), single('d', 'db')];
    const asked = new Set<string>();
    const parts = packDigestByDestination(notifications, teamOf, (part, destination) => {
      asked.add(destination);
      return part.alerts.length <= (destination.startsWith('db') ? 2 : 10);
    });
    expect(parts.map((p) => [p.destination, names(p), p.completes])).toEqual([
      ['db@example.com', ['a', 'c'], [0, 2]],
      ['db@example.com', ['d'], [3]],
      ['web@example.com', ['b'], [1]],
    ]);
    expect([...asked].sort()).toEqual(['db@example.com', 'web@example.com']);
  });

  it('leaves out a notification whose destination throws, and throws only when none has a destination', () => {
    const notifications = [single('a', 'db'), single('bad', 'db'), single('c', 'db')];
    const destinationOf = (n: WebhookPayload) => {
      if (n.commonLabels.alertname === 'bad') throw new Error('to has no address');
      return teamOf(n);
    };
    const parts = packDigestByDestination(notifications, destinationOf, () => true);
    expect(parts.map((p) => [names(p), p.completes.sort()])).toEqual([[['a', 'c'], [0, 2]]]);
    expect(() => packDigestByDestination([single('bad', 'db'), single('bad', 'web')], destinationOf, () => true)).toThrow('to has no address');
  });
});
