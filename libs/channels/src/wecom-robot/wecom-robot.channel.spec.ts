import { FakeWecom } from '../../../../test/fakes/wecom.fake';
import { WecomRobotClient } from './wecom-robot.channel';
import type { WecomRobotMessage } from './wecom-robot.message';

const markdown = (content: string): WecomRobotMessage => ({ msgtype: 'markdown', markdown: { content } });

describe('WecomRobotClient', () => {
  let wecom: FakeWecom;
  const client = new WecomRobotClient(2_000);

  beforeEach(async () => {
    wecom = await FakeWecom.start();
  });
  afterEach(() => wecom.close());

  it('posts the message to the robot', async () => {
    const url = wecom.robot('robot-key-1');
    const text: WecomRobotMessage = { msgtype: 'text', text: { content: 'disk full', mentioned_list: ['@all'], mentioned_mobile_list: [] } };
    await client.send(text, url, 60_000);
    expect(wecom.robotMessages('robot-key-1')).toEqual([text]);
  });

  it('pauses the robot for the penalty on 45009 (over 20 a minute)', async () => {
    const url = wecom.robot('robot-key-2');
    for (let i = 0; i < 20; i++) await client.send(markdown(`m${i}`), url, 60_000);
    const before = Date.now();
    const failure = await client.send(markdown('one too many'), url, 60_000).catch((e) => e);
    expect(failure).toMatchObject({ kind: 'rate_limited', reason: 'errcode_45009' });
    expect(failure.retryAt).toBeGreaterThanOrEqual(before + 60_000);
  });

  it('fails permanently for an unknown key (93000) without naming it', async () => {
    const failure = await client.send(markdown('x'), `${wecom.baseUrl}/cgi-bin/webhook/send?key=secret-robot-key`, 60_000).catch((e) => e);
    expect(failure).toMatchObject({ kind: 'permanent', reason: 'errcode_93000' });
    expect(failure.message).toMatch(/robot key is invalid/);
    expect(failure.message).not.toContain('secret-robot-key');
  });

  it('fails permanently for content over the limit (40058)', async () => {
    const url = wecom.robot('robot-key-3');
    await expect(client.send(markdown('x'.repeat(4097)), url, 60_000)).rejects.toMatchObject({ kind: 'permanent', reason: 'errcode_40058' });
  });

  it('retries later on -1 (busy)', async () => {
    const url = wecom.robot('robot-key-4');
    wecom.failNext('robot', -1);
    await expect(client.send(markdown('x'), url, 60_000)).rejects.toMatchObject({ kind: 'transient', reason: 'errcode_-1' });
  });
});
