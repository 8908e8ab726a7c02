/**
 * Helpers shared by alert-relay's default templates (Go text/template, as in Alertmanager).
 * Times are shown with `tz relayTimezone`: relayTimezone returns the configured `global.timezone`.
 * To reuse these in Alertmanager itself, replace `relayTimezone` with a zone name in quotes.
 */
export const COMMON_TMPL = String.raw`
{{ define "__relay.alertmanager_url" }}{{ .ExternalURL }}/#/alerts?receiver={{ .Receiver | urlquery }}{{ end }}

{{ define "__relay.title" -}}
[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .GroupLabels.SortedPairs.Values | join " " }}
{{- if gt (len .CommonLabels) (len .GroupLabels) }} ({{ with .CommonLabels.Remove .GroupLabels.Names }}{{ .Values | join " " }}{{ end }}){{ end }}
{{- end }}

{{ define "__relay.counts" -}}
{{ with .Alerts.Firing }}{{ len . }} firing{{ end }}{{ if and .Alerts.Firing .Alerts.Resolved }}, {{ end }}{{ with .Alerts.Resolved }}{{ len . }} resolved{{ end }}
{{- end }}

{{ define "__relay.starts" }}{{ (.StartsAt | tz relayTimezone).Format "2006-01-02 15:04:05 MST" }}{{ end }}
{{ define "__relay.ends" }}{{ (.EndsAt | tz relayTimezone).Format "2006-01-02 15:04:05 MST" }}{{ end }}
{{ define "__relay.duration" }}{{ if eq .Status "firing" }}{{ since .StartsAt | humanizeDuration }}{{ else }}{{ .EndsAt.Sub .StartsAt | humanizeDuration }}{{ end }}{{ end }}
{{ define "__relay.summary" }}{{ .Annotations.summary }}{{ end }}
{{ define "__relay.description" }}{{ if .Annotations.description }}{{ .Annotations.description }}{{ else }}{{ .Annotations.message }}{{ end }}{{ end }}
{{ define "__relay.key_labels" }}{{ range $i, $p := (.Labels.Remove (stringSlice "alertname" "severity")).SortedPairs }}{{ if $i }}, {{ end }}{{ $p.Name }}={{ $p.Value }}{{ end }}{{ end }}

{{ define "__relay.text_alert" -}}
[{{ .Status | toUpper }}] {{ .Labels.alertname }}{{ with .Labels.severity }} ({{ . }}){{ end }}
{{ with .Annotations.summary }}Summary: {{ . }}
{{ end }}{{ with (or .Annotations.description .Annotations.message) }}Description: {{ . }}
{{ end }}{{ with .Labels.Remove (stringSlice "alertname" "severity") }}Labels: {{ template "__relay.key_labels" $ }}
{{ end }}Started: {{ template "__relay.starts" . }}{{ if eq .Status "firing" }} (for {{ template "__relay.duration" . }}){{ else }}
Ended: {{ template "__relay.ends" . }} (lasted {{ template "__relay.duration" . }}){{ end }}
{{ with .GeneratorURL }}Source: {{ . }}
{{ end }}
{{- end }}

{{ define "__relay.text_list" -}}
{{ template "__relay.title" . }}
{{ template "__relay.counts" . }}
{{ range .Alerts }}
{{ template "__relay.text_alert" . }}{{ end }}
{{- with .ExternalURL }}
Alertmanager: {{ template "__relay.alertmanager_url" $ }}{{ end }}
{{- end }}

{{/* Digests: .Alerts are every alert carried, firing first; .CommonLabels what all of them share.
     Each alert is one or two lines: its status, name, summary, labels and times. */}}
{{ define "__relay.digest.title" -}}
[DIGEST] {{ template "__relay.counts" . }}{{ with .CommonLabels.alertname }} · {{ . }}{{ end }}
{{- end }}

{{ define "__relay.digest.intro" }}Sent together while the target was throttled (a backlog, a rate limit or an outage).{{ end }}

{{ define "__relay.digest.when" }}{{ if eq .Status "firing" }}since {{ template "__relay.starts" . }}{{ else }}{{ template "__relay.starts" . }} → {{ template "__relay.ends" . }}{{ end }}{{ end }}

{{ define "__relay.digest.text_list" -}}
{{ template "__relay.digest.title" . }}
{{ template "__relay.digest.intro" . }}
{{ range .Alerts }}
{{ if eq .Status "firing" }}[FIRING]{{ else }}[RESOLVED]{{ end }} {{ .Labels.alertname }}{{ with .Labels.severity }} ({{ . }}){{ end }}{{ with .Annotations.summary }}: {{ . }}{{ end }}
{{ with .Labels.Remove (stringSlice "alertname" "severity") }}  {{ range $i, $p := .SortedPairs }}{{ if $i }}, {{ end }}{{ $p.Name }}={{ $p.Value }}{{ end }}
{{ end }}  {{ template "__relay.digest.when" . }}
{{ end }}
{{- with .ExternalURL }}
Alertmanager: {{ template "__relay.alertmanager_url" $ }}{{ end }}
{{- end }}
`;
