/**
 * Slack defaults, named like Alertmanager's so a user's own definitions replace them. Text is
 * Slack mrkdwn: *bold*, _italic_, <url|text> links; `&`, `<`, `>` in values are escaped.
 */
export const SLACK_TMPL = String.raw`
{{ define "__relay.slack_escape" }}{{ reReplaceAll ">" "&gt;" (reReplaceAll "<" "&lt;" (reReplaceAll "&" "&amp;" .)) }}{{ end }}
{{ define "slack.default.title" }}{{ template "__relay.title" . }}{{ end }}
{{ define "slack.default.username" }}alert-relay{{ end }}
{{ define "slack.default.fallback" }}{{ template "slack.default.title" . }} | {{ template "slack.default.titlelink" . }}{{ end }}
{{ define "slack.default.callbackid" }}{{ end }}
{{ define "slack.default.pretext" }}{{ end }}
{{ define "slack.default.titlelink" }}{{ template "__relay.alertmanager_url" . }}{{ end }}
{{ define "slack.default.iconemoji" }}{{ end }}
{{ define "slack.default.iconurl" }}{{ end }}
{{ define "slack.default.footer" }}{{ end }}
{{ define "slack.default.color" }}{{ if eq .Status "firing" }}danger{{ else }}good{{ end }}{{ end }}
{{ define "slack.default.text" -}}
{{ range .Alerts -}}
*{{ if eq .Status "firing" }}:fire: FIRING{{ else }}:white_check_mark: RESOLVED{{ end }}: {{ template "__relay.slack_escape" .Labels.alertname }}*{{ with .Labels.severity }} ({{ template "__relay.slack_escape" . }}){{ end }}
{{ with .Annotations.summary }}>{{ template "__relay.slack_escape" . }}
{{ end }}{{ with (or .Annotations.description .Annotations.message) }}{{ template "__relay.slack_escape" . }}
{{ end }}{{ with .Labels.Remove (stringSlice "alertname" "severity") }}_Labels:_ {{ range $i, $p := .SortedPairs }}{{ if $i }}, {{ end }}{{ template "__relay.slack_escape" $p.Name }}={{ template "__relay.slack_escape" $p.Value }}{{ end }}
{{ end }}_Started:_ {{ template "__relay.starts" . }}{{ if eq .Status "firing" }} (for {{ template "__relay.duration" . }}){{ else }}, _ended:_ {{ template "__relay.ends" . }} (lasted {{ template "__relay.duration" . }}){{ end }}{{ with .GeneratorURL }} <{{ . }}|source>{{ end }}

{{ end -}}
{{- end }}

{{ define "slack.default.digest.title" }}{{ template "__relay.digest.title" . }}{{ end }}
{{ define "slack.default.digest" -}}
_{{ template "__relay.digest.intro" . }}_
{{ range .Alerts -}}
{{ if eq .Status "firing" }}:fire:{{ else }}:white_check_mark:{{ end }} *{{ template "__relay.slack_escape" .Labels.alertname }}*{{ with .Labels.severity }} ({{ template "__relay.slack_escape" . }}){{ end }}{{ with .Annotations.summary }} {{ template "__relay.slack_escape" . }}{{ end }}
{{- with .Labels.Remove (stringSlice "alertname" "severity") }} · {{ range $i, $p := .SortedPairs }}{{ if $i }}, {{ end }}{{ template "__relay.slack_escape" $p.Name }}={{ template "__relay.slack_escape" $p.Value }}{{ end }}{{ end }} · {{ template "__relay.digest.when" . }}
{{ end -}}
{{- end }}
`;
