/**
 * WeCom group robot defaults: robot markdown, which supports headings, **bold**, [links](…), `>`
 * quotes and <font color="warning|info|comment">. Content limit: 4096 bytes, enforced by the sender.
 */
export const WECOM_ROBOT_TMPL = String.raw`
{{ define "__relay.wecom.alert" -}}
> **{{ .Labels.alertname }}**{{ with .Labels.severity }} <font color="comment">{{ . }}</font>{{ end }} {{ if eq .Status "firing" }}<font color="warning">FIRING</font>{{ else }}<font color="info">RESOLVED</font>{{ end }}
{{ with .Annotations.summary }}> {{ . }}
{{ end }}{{ with (or .Annotations.description .Annotations.message) }}> {{ . }}
{{ end }}{{ with .Labels.Remove (stringSlice "alertname" "severity") }}> Labels: {{ template "__relay.key_labels" $ }}
{{ end }}> Started: {{ template "__relay.starts" . }}{{ if eq .Status "firing" }} (for {{ template "__relay.duration" . }}){{ else }}
> Ended: {{ template "__relay.ends" . }} (lasted {{ template "__relay.duration" . }}){{ end }}
{{ with .GeneratorURL }}> [Source]({{ . }})
{{ end }}
{{ end }}

{{ define "wecom_robot.default.message" -}}
### {{ template "__relay.title" . }}
{{ template "__relay.counts" . }}

{{ range .Alerts.Firing }}{{ template "__relay.wecom.alert" . }}{{ end -}}
{{ range .Alerts.Resolved }}{{ template "__relay.wecom.alert" . }}{{ end -}}
{{ with .ExternalURL }}[Alertmanager]({{ template "__relay.alertmanager_url" $ }}){{ end }}
{{- end }}

{{ define "wecom_robot.default.digest" -}}
### {{ template "__relay.digest.title" . }}
<font color="comment">{{ template "__relay.digest.intro" . }}</font>

{{ range .Alerts -}}
> {{ if eq .Status "firing" }}<font color="warning">FIRING</font>{{ else }}<font color="info">RESOLVED</font>{{ end }} **{{ .Labels.alertname }}**{{ with .Labels.severity }} <font color="comment">{{ . }}</font>{{ end }}{{ with .Annotations.summary }} {{ . }}{{ end }}
{{ with .Labels.Remove (stringSlice "alertname" "severity") }}> {{ range $i, $p := .SortedPairs }}{{ if $i }}, {{ end }}{{ $p.Name }}={{ $p.Value }}{{ end }}
{{ end }}> {{ template "__relay.digest.when" . }}

{{ end -}}
{{ with .ExternalURL }}[Alertmanager]({{ template "__relay.alertmanager_url" $ }}){{ end }}
{{- end }}
`;
