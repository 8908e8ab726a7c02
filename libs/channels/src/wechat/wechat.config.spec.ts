import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configErrorsOf as errorsOf } from '@relay/testing';
import { parseConfig } from '../channels';
import { credentialsOf } from './wechat.channel';
import { WechatConfig, wechatCredentialsIssue } from './wechat.config';

describe('wechat_configs', () => {
  it("loads an Alertmanager wechat_configs block as pasted, with Alertmanager's defaults", () => {
    const config = parseConfig(`
global:
  wechat_api_corp_id: ww-global
  wechat_api_secret: global-secret
receivers:
  - name: ops
    wechat_configs:
      - agent_id: 1000002
        to_party: '2'
      - send_resolved: true
        api_url: https://wecom.example.com/cgi-bin/
        corp_id: ww-own
        api_secret: own-secret
        agent_id: '1000003'
        to_user: 'alice|bob'
        to_tag: '7'
        message: '{{ template "my.message" . }}'
        message_type: markdown
        http_config: { proxy_url: http://proxy:3128 }
`);
    const [first, second] = config.targetsOf<WechatConfig>('wechat');
    expect(first).toMatchObject({ name: 'ops/wechat/0', sendResolved: false, rateLimit: { max: 15, perMs: 60_000 } });
    expect(first.config).toMatchObject({ agent_id: '1000002', to_party: '2', message: '{{ template "wechat.default.message" . }}', message_type: 'text' });
    expect(first.config.to_user).toBeUndefined();
    expect(first.config.api_url).toBeUndefined();
    expect(config.global.wechat_api_url).toBe('https://qyapi.weixin.qq.com/cgi-bin/');
    expect(second).toMatchObject({ sendResolved: true });
    expect(second.config).toMatchObject({ corp_id: 'ww-own', api_secret: 'own-secret', agent_id: '1000003', to_user: 'alice|bob', message_type: 'markdown' });
  });

  it('names the path and reason of each mistake', () => {
    expect(
      errorsOf(`
receivers:
  - name: ops
    wechat_configs:
      - to_user: alice
        message_type: news
        api_url: qyapi
`),
    ).toEqual([
      'relay.yml: receivers[0].wechat_configs[0].api_url: must be an http(s) URL',
      'relay.yml: receivers[0].wechat_configs[0].message_type: must be one of text, markdown',
    ]);
  });

  it('refuses at load a target with no corp_id or api_secret, here or in global', () => {
    expect(
      errorsOf(`
global: { wechat_api_secret: s }
receivers:
  - name: ops
    wechat_configs:
      - { agent_id: 1, corp_id: ww }
      - { agent_id: 2 }
`),
    ).toEqual(['relay.yml: receivers[0].wechat_configs[1]: needs corp_id (or global.wechat_api_corp_id)']);
  });

  it('needs corp_id and api_secret on the target or in global', () => {
    const block = { agent_id: '1' } as WechatConfig;
    expect(wechatCredentialsIssue(block, {})).toBe('needs corp_id (or global.wechat_api_corp_id) and api_secret or api_secret_file (or global.wechat_api_secret / wechat_api_secret_file)');
    expect(wechatCredentialsIssue({ ...block, corp_id: 'ww' } as WechatConfig, {})).toBe('needs api_secret or api_secret_file (or global.wechat_api_secret / wechat_api_secret_file)');
    expect(wechatCredentialsIssue({ ...block, corp_id: 'ww', api_secret_file: 'secret' } as WechatConfig, {})).toBeUndefined();
    expect(wechatCredentialsIssue({ ...block, corp_id: 'ww' } as WechatConfig, { wechat_api_secret_file: 'secret' })).toBeUndefined();
    expect(wechatCredentialsIssue(block, { wechat_api_corp_id: 'ww', wechat_api_secret: 's' })).toBeUndefined();
    expect(wechatCredentialsIssue({ ...block, corp_id: 'ww', api_secret: 's' } as WechatConfig, {})).toBeUndefined();
  });
});

describe('wechat_configs secrets in files, and what is warned about', () => {
  it('reads api_secret_file (else global.wechat_api_secret_file) at each send, relative to the config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wechat-secret-'));
    writeFileSync(join(dir, 'own'), 'own-secret\n');
    writeFileSync(join(dir, 'global'), 'global-secret\n');
    const global = { wechat_api_url: 'https://qyapi.weixin.qq.com/cgi-bin/', wechat_api_corp_id: 'ww', wechat_api_secret_file: 'global' };
    expect(credentialsOf({ api_secret_file: 'own' }, global, dir).apiSecret).toBe('own-secret');
    expect(credentialsOf({}, global, dir).apiSecret).toBe('global-secret');
    expect(credentialsOf({ api_secret: 'inline' }, global, dir).apiSecret).toBe('inline');
    writeFileSync(join(dir, 'global'), 'rotated\n');
    expect(credentialsOf({}, global, dir).apiSecret).toBe('rotated');
  });

  it('refuses api_secret beside api_secret_file, and warns about a target with no agent_id', () => {
    expect(errorsOf(`receivers: [{ name: a, wechat_configs: [{ corp_id: ww, agent_id: 1, api_secret: s, api_secret_file: f }] }]`)).toEqual([
      'relay.yml: receivers[0].wechat_configs[0].api_secret: set api_secret or api_secret_file, not both',
    ]);
    const config = parseConfig(`global: { wechat_api_corp_id: ww, wechat_api_secret_file: /run/secrets/wecom }\nreceivers: [{ name: a, wechat_configs: [{}, { agent_id: 1000002 }] }]`);
    expect(config.warnings).toEqual([{ path: 'receivers[0].wechat_configs[0]', message: expect.stringMatching(/^agent_id: not set/) }]);
  });
});

describe('wecom_robot_configs', () => {
  const URL = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx';

  it('defaults to markdown, the default template and send_resolved true', () => {
    const [robot] = parseConfig(`receivers: [{ name: ops, wecom_robot_configs: [{ url: '${URL}' }] }]`).targetsOf('wecom_robot');
    expect(robot).toMatchObject({ name: 'ops/wecom_robot/0', sendResolved: true, rateLimit: { max: 20, perMs: 60_000, penaltyMs: 60_000 } });
    expect(robot.config).toMatchObject({ msgtype: 'markdown', message: '{{ template "wecom_robot.default.message" . }}', mentioned_list: [], mentioned_mobile_list: [] });
  });

  it('accepts mentions with msgtype text', () => {
    const [robot] = parseConfig(`
receivers:
  - name: ops
    wecom_robot_configs:
      - url: ${URL}
        msgtype: text
        mentioned_list: [wangqing, '@all']
        mentioned_mobile_list: ['13800001111']
`).targetsOf('wecom_robot');
    expect(robot.config).toMatchObject({ msgtype: 'text', mentioned_list: ['wangqing', '@all'], mentioned_mobile_list: ['13800001111'] });
  });

  it('refuses a URL without key, an unknown msgtype and mentions WeCom would ignore', () => {
    expect(
      errorsOf(`
receivers:
  - name: ops
    wecom_robot_configs:
      - url: https://qyapi.weixin.qq.com/cgi-bin/webhook/send
      - url: ${URL}
        msgtype: news
      - url: ${URL}
        mentioned_list: [wangqing]
        mentioned_mobile_list: [call-me]
`),
    ).toEqual([
      'relay.yml: receivers[0].wecom_robot_configs[0].url: must carry the robot key query parameter',
      'relay.yml: receivers[0].wecom_robot_configs[1].msgtype: must be one of markdown, text, markdown_v2',
      'relay.yml: receivers[0].wecom_robot_configs[2].mentioned_list: only works with msgtype text (WeCom ignores it in markdown)',
      'relay.yml: receivers[0].wecom_robot_configs[2].mentioned_mobile_list: only works with msgtype text (WeCom ignores it in markdown)',
      'relay.yml: receivers[0].wecom_robot_configs[2].mentioned_mobile_list: must hold phone numbers or @all',
    ]);
  });
});
