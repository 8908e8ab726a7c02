/**
 * alert-relay's default templates. Each is Go text/template source in a .ts module (so it survives
 * `tsc` without an asset step); copy one into your own .tmpl file and define the same name to
 * override it.
 */
import { COMMON_TMPL } from './common.tmpl';
import { DINGTALK_TMPL } from './dingtalk.tmpl';
import { EMAIL_TMPL } from './email.tmpl';
import { SLACK_TMPL } from './slack.tmpl';
import { WECHAT_TMPL } from './wechat.tmpl';

/** Parsed in this order before user files; the names are what parse errors would show. */
export const DEFAULT_TEMPLATE_SOURCES: readonly { name: string; text: string }[] = [
  { name: 'relay-common.tmpl', text: COMMON_TMPL },
  { name: 'relay-dingtalk.tmpl', text: DINGTALK_TMPL },
  { name: 'relay-wechat.tmpl', text: WECHAT_TMPL },
  { name: 'relay-slack.tmpl', text: SLACK_TMPL },
  { name: 'relay-email.tmpl', text: EMAIL_TMPL },
];

export const DEFAULT_TEMPLATE_NAMES = {
  dingtalk: { title: 'dingtalk.default.title', text: 'dingtalk.default.text', digestTitle: 'dingtalk.default.digest.title', digest: 'dingtalk.default.digest' },
  wechat: { message: 'wechat.default.message', digest: 'wechat.default.digest' },
  wecom_robot: { message: 'wecom_robot.default.message', digest: 'wecom_robot.default.digest' },
  slack: {
    title: 'slack.default.title',
    text: 'slack.default.text',
    color: 'slack.default.color',
    username: 'slack.default.username',
    fallback: 'slack.default.fallback',
    pretext: 'slack.default.pretext',
    titlelink: 'slack.default.titlelink',
    iconemoji: 'slack.default.iconemoji',
    iconurl: 'slack.default.iconurl',
    footer: 'slack.default.footer',
    callbackid: 'slack.default.callbackid',
    digestTitle: 'slack.default.digest.title',
    digest: 'slack.default.digest',
  },
  email: {
    subject: 'email.default.subject',
    html: 'email.default.html',
    text: 'email.default.text',
    digestSubject: 'email.default.digest.subject',
    digestHtml: 'email.default.digest.html',
    digestText: 'email.default.digest.text',
  },
} as const;

