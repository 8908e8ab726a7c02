/**
 * Feishu / Lark custom bot defaults. The card (msg_type interactive) shows the title in its header,
 * coloured by status, and the text as card markdown: **bold**, [links](…), one line per `\n`;
 * no headings. Post and text messages show no markdown, so they get the plain-text lists.
 * The sender keeps the body under 20,000 bytes.
 */
export const FEISHU_TMPL = String.raw`
{{ define "feishu.default.title" }}{{ template "__relay.title" . }}{{ end }}

{{ define "__relay.feishu.alert" -}}
{{ $firing := eq .Status "firing" -}}
**{{ if $firing }}🔥{{ else }}✅{{ end }} {{ .Labels.alertname }}**{{ with .Labels.severity }} [{{ . }}]{{ end }}
{{ with .Annotations.summary }}**{{ . }}**
{{ end }}{{ with (or .Annotations.description .Annotations.message) }}{{ . }}
{{ end }}{{ with .Labels.Remove (stringSlice "alertname" "severity") }}Labels: {{ template "__relay.key_labels" $ }}
{{ end }}Started: {{ template "__relay.starts" . }}{{ if $firing }} (for {{ template "__relay.duration" . }})
{{ else if eq .Status "resolved" }}
Ended: {{ template "__relay.ends" . }} (lasted {{ template "__relay.duration" . }})
{{ else }}
{{ end }}{{ with .GeneratorURL }}[Source]({{ . }})
{{ end }}
{{ end }}

{{ define "feishu.default.text" -}}
{{ template "__relay.counts" . }}

{{ range .Alerts.Firing }}{{ template "__relay.feishu.alert" . }}{{ end -}}
{{ range .Alerts.Resolved }}{{ template "__relay.feishu.alert" . }}{{ end -}}
{{ with .ExternalURL }}[Alertmanager]({{ template "__relay.alertmanager_url" $ }})
{{ end }}
{{- end }}

{{ define "feishu.default.plain" }}{{ template "__relay.text_list" . }}{{ end }}

{{ define "feishu.default.digest.title" }}{{ template "__relay.digest.title" . }}{{ end }}

{{ define "feishu.default.digest" -}}
{{ template "__relay.digest.intro" . }}

{{ range .Alerts -}}
{{ if eq .Status "firing" }}🔥{{ else }}✅{{ end }} **{{ .Labels.alertname }}**{{ with .Labels.severity }} [{{ . }}]{{ end }}{{ with .Annotations.summary }} {{ . }}{{ end }}
{{- with .Labels.Remove (stringSlice "alertname" "severity") }} · {{ range $i, $p := .SortedPairs }}{{ if $i }}, {{ end }}{{ $p.Name }}={{ $p.Value }}{{ end }}{{ end }} · {{ template "__relay.digest.when" . }}
{{ end }}
{{ with .ExternalURL }}[Alertmanager]({{ template "__relay.alertmanager_url" $ }})
{{ end }}
{{- end }}

{{ define "feishu.default.digest.plain" }}{{ template "__relay.digest.text_list" . }}{{ end }}
`;
