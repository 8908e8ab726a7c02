import { configErrorsOf } from '@relay/testing';
import { parseConfig } from '../channels';
import type { FeishuConfig } from './feishu.config';

const URL = 'https://open.feishu.cn/open-apis/bot/v2/hook/0a1b2c3d-4e5f-6789-abcd-ef0123456789';

describe('feishu_configs', () => {
  it('defaults: a red/green card from the feishu templates, resolved sent, the bot held to 5 in any 3 s', () => {
    const [target] = parseConfig(`receivers: [{ name: ops, feishu_configs: [{ url: '${URL}' }] }]`).targetsOf<FeishuConfig>('feishu');
    expect(target).toMatchObject({ name: 'ops/feishu/0', channel: 'feishu', sendResolved: true, digest: true, rateLimit: { max: 5, perMs: 3_000, penaltyMs: 10_000 } });
    expect(target.config).toMatchObject({ url: URL, msg_type: 'interactive', title: '{{ template "feishu.default.title" . }}' });
    expect(target.config.text).toBeUndefined();
    expect(target.config.secret).toBeUndefined();
  });

  it('takes a Lark bot, a secret from the environment, every msg_type and mentions', () => {
    const config = parseConfig(
      `receivers: [{ name: ops, feishu_configs: [{ url: 'https://open.larksuite.com/open-apis/bot/v2/hook/t', secret: '\${FS}', msg_type: post, mentions: { all: true, user_ids: [ou_7d8a6e6df7621556ce0d21922b676706], from_label: owner } }] }]`,
      { file: 'relay.yml', env: { FS: 'bot-secret' } },
    );
    const [target] = config.targetsOf<FeishuConfig>('feishu');
    expect(target.config).toMatchObject({ secret: 'bot-secret', msg_type: 'post', mentions: { all: true, user_ids: ['ou_7d8a6e6df7621556ce0d21922b676706'], from_label: 'owner' } });
  });

  it('reports each mistake at its path', () => {
    expect(
      configErrorsOf(`
receivers:
  - name: ops
    feishu_configs:
      - url: https://open.feishu.cn/open-apis/bot/v2/hook/
        msg_type: card
        mentions: { user_ids: ['ou_1"><at id=all'], all: 'yes' }
      - url: https://oapi.dingtalk.com/robot/send?access_token=abc
        secret: 42
      - msg_type: text
`),
    ).toEqual([
      'relay.yml: receivers[0].feishu_configs[0].url: must be a bot webhook, https://open.feishu.cn/open-apis/bot/v2/hook/<token>',
      'relay.yml: receivers[0].feishu_configs[0].msg_type: must be one of interactive, post, text',
      'relay.yml: receivers[0].feishu_configs[0].mentions.all: must be a boolean value',
      'relay.yml: receivers[0].feishu_configs[0].mentions.user_ids: must be open_ids such as ou_7d8a6e6df7621556ce0d21922b676706',
      'relay.yml: receivers[0].feishu_configs[1].url: must be a bot webhook, https://open.feishu.cn/open-apis/bot/v2/hook/<token>',
      'relay.yml: receivers[0].feishu_configs[1].secret: must be a string',
      'relay.yml: receivers[0].feishu_configs[2].url: must be a bot webhook, https://open.feishu.cn/open-apis/bot/v2/hook/<token>',
      'relay.yml: receivers[0].feishu_configs[2].url: must be an http(s) URL',
    ]);
  });
});
