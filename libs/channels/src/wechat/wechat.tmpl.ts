/**
 * WeCom app (企业微信应用消息) defaults: plain text (Alertmanager's default message_type "text").
 * Content limit: 2048 bytes, enforced by the sender.
 */
export const WECHAT_TMPL = String.raw`
{{ define "wechat.default.message" }}{{ template "__relay.text_list" . }}{{ end }}
{{ define "wechat.default.to_user" }}{{ end }}
{{ define "wechat.default.to_party" }}{{ end }}
{{ define "wechat.default.to_tag" }}{{ end }}
{{ define "wechat.default.agent_id" }}{{ end }}

{{ define "wechat.default.digest" }}{{ template "__relay.digest.text_list" . }}{{ end }}
`;
