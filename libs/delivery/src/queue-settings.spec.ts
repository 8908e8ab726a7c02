import { CHAT_QUEUE_SETTINGS, queueSettingsFor, workerOptions } from './queue-settings';

describe('queueSettingsFor', () => {
  it("keeps the channel's own settings when the environment names none", () => {
    expect(queueSettingsFor('dingtalk', CHAT_QUEUE_SETTINGS, {})).toEqual(CHAT_QUEUE_SETTINGS);
    expect(queueSettingsFor('email', { concurrency: 8, requestTimeoutMs: 30_000 }, {})).toEqual({ concurrency: 8, requestTimeoutMs: 30_000, connections: undefined });
  });

  it('takes RELAY_<CHANNEL>_CONCURRENCY and _CONNECTIONS for that channel only', () => {
    const env = { RELAY_WECOM_ROBOT_CONCURRENCY: '512', RELAY_WECOM_ROBOT_CONNECTIONS: '32', RELAY_DINGTALK_CONCURRENCY: '4' };
    const settings = queueSettingsFor('wecom_robot', CHAT_QUEUE_SETTINGS, env);
    expect(settings).toEqual({ ...CHAT_QUEUE_SETTINGS, concurrency: 512, connections: 32 });
    expect(workerOptions(settings).concurrency).toBe(512);
  });

  it('refuses a value that is not a whole number of at least 1, naming the variable', () => {
    for (const value of ['0', '-3', '2.5', 'many']) {
      expect(() => queueSettingsFor('slack', CHAT_QUEUE_SETTINGS, { RELAY_SLACK_CONCURRENCY: value })).toThrow(/RELAY_SLACK_CONCURRENCY must be a whole number/);
    }
  });
});
