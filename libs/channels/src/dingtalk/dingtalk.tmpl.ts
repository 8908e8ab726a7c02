/**
 * DingTalk robot defaults (markdown msgtype). DingTalk markdown: `#` headings, **bold**, [links](…),
 * `>` quotes, `-` lists; a blank line separates paragraphs. The sender keeps the body under 20,000 bytes.
 */
export const DINGTALK_TMPL = String.raw`
{{ define "dingtalk.default.title" }}{{ template "__relay.title" . }}{{ end }}

{{ define "__relay.dingtalk.alert" -}}
{{ $firing := eq .Status "firing" -}}
#### {{ if $firing }}🔥{{ else }}✅{{ end }} {{ .Labels.alertname }}{{ with .Labels.severity }} [{{ . }}]{{ end }}

{{ with .Annotations.summary }}> **{{ . }}**

{{ end }}{{ with (or .Annotations.description .Annotations.message) }}{{ . }}

{{ end }}{{ with .Labels.Remove (stringSlice "alertname" "severity") }}- **Labels**: {{ template "__relay.key_labels" $ }}
{{ end }}- **Started**: {{ template "__relay.starts" . }}{{ if $firing }} (for {{ template "__relay.duration" . }})
{{ else if eq .Status "resolved" }}
- **Ended**: {{ template "__relay.ends" . }} (lasted {{ template "__relay.duration" . }})
{{ else }}
{{ end }}{{ with .GeneratorURL }}- [Source]({{ . }})
{{ end }}
{{ end }}

{{ define "dingtalk.default.text" -}}
### {{ if eq .Status "firing" }}🔥{{ else }}✅{{ end }} {{ template "__relay.title" . }}

{{ template "__relay.counts" . }}

{{ range .Alerts.Firing }}{{ template "__relay.dingtalk.alert" . }}{{ end -}}
{{ range .Alerts.Resolved }}{{ template "__relay.dingtalk.alert" . }}{{ end -}}
{{ with .ExternalURL }}[Alertmanager]({{ template "__relay.alertmanager_url" $ }})
{{ end }}
{{- end }}

{{ define "dingtalk.default.digest.title" }}{{ template "__relay.digest.title" . }}{{ end }}

{{ define "dingtalk.default.digest" -}}
### 📋 {{ template "__relay.digest.title" . }}

{{ template "__relay.digest.intro" . }}

{{ range .Alerts -}}
- {{ if eq .Status "firing" }}🔥{{ else }}✅{{ end }} **{{ .Labels.alertname }}**{{ with .Labels.severity }} [{{ . }}]{{ end }}{{ with .Annotations.summary }} {{ . }}{{ end }}
{{- with .Labels.Remove (stringSlice "alertname" "severity") }} · {{ range $i, $p := .SortedPairs }}{{ if $i }}, {{ end }}{{ $p.Name }}={{ $p.Value }}{{ end }}{{ end }} · {{ template "__relay.digest.when" . }}
{{ end }}
{{ with .ExternalURL }}[Alertmanager]({{ template "__relay.alertmanager_url" $ }})
{{ end }}
{{- end }}
`;
