/**
 * Email defaults: a subject like Alertmanager's, an HTML part built from tables with inline styles
 * (what mail clients keep), and a plain-text part for text-only clients and pagers.
 */
export const EMAIL_TMPL = String.raw`
{{ define "email.default.subject" }}{{ template "__relay.title" . }}{{ end }}

{{ define "email.default.text" }}{{ template "__relay.text_list" . }}{{ end }}

{{ define "__relay.email.alert" -}}
<tr><td style="padding:12px 16px;border-top:1px solid #e5e5e5;">
<div style="font-size:15px;font-weight:bold;color:{{ if eq .Status "firing" }}#c0392b{{ else }}#27ae60{{ end }};">[{{ .Status | toUpper }}] {{ html .Labels.alertname }}{{ with .Labels.severity }} <span style="font-weight:normal;color:#555;">({{ html . }})</span>{{ end }}</div>
{{ with .Annotations.summary }}<div style="margin-top:4px;"><strong>{{ html . }}</strong></div>
{{ end }}{{ with (or .Annotations.description .Annotations.message) }}<div style="margin-top:4px;">{{ html . }}</div>
{{ end }}<table cellpadding="0" cellspacing="0" style="margin-top:6px;font-size:13px;color:#333;">
{{ range (.Labels.Remove (stringSlice "alertname" "severity")).SortedPairs }}<tr><td style="padding-right:8px;color:#777;">{{ html .Name }}</td><td>{{ html .Value }}</td></tr>
{{ end }}<tr><td style="padding-right:8px;color:#777;">started</td><td>{{ template "__relay.starts" . }}{{ if eq .Status "firing" }} (for {{ template "__relay.duration" . }}){{ end }}</td></tr>
{{ if eq .Status "resolved" }}<tr><td style="padding-right:8px;color:#777;">ended</td><td>{{ template "__relay.ends" . }} (lasted {{ template "__relay.duration" . }})</td></tr>
{{ end }}</table>
{{ with .GeneratorURL }}<div style="margin-top:6px;"><a href="{{ html . }}" style="color:#2471a3;">Source</a></div>
{{ end }}</td></tr>
{{ end }}

{{/* The frame both HTML templates share: a 600 px white card on grey, closed with the Alertmanager link. */}}
{{ define "__relay.email.open" }}<!DOCTYPE html>
<html>
<head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8"><meta name="viewport" content="width=device-width"></head>
<body style="margin:0;padding:0;background:#f6f6f6;font-family:Helvetica,Arial,sans-serif;">
<table width="100%" cellpadding="0" cellspacing="0" style="background:#f6f6f6;"><tr><td align="center" style="padding:20px;">
<table width="600" cellpadding="0" cellspacing="0" style="background:#ffffff;border:1px solid #e5e5e5;">
{{ end }}
{{ define "__relay.email.close" }}{{ with .ExternalURL }}<tr><td style="padding:12px 16px;border-top:1px solid #e5e5e5;font-size:12px;"><a href="{{ template "__relay.alertmanager_url" $ }}" style="color:#2471a3;">View in Alertmanager</a></td></tr>
{{ end }}</table>
</td></tr></table>
</body>
</html>
{{ end }}

{{ define "email.default.html" -}}
{{ template "__relay.email.open" . }}<tr><td style="padding:14px 16px;background:{{ if eq .Status "firing" }}#c0392b{{ else }}#27ae60{{ end }};color:#ffffff;font-size:16px;font-weight:bold;">{{ html (print (len .Alerts.Firing) " firing, " (len .Alerts.Resolved) " resolved") }} &mdash; {{ .GroupLabels.SortedPairs.Values | join " " | html }}</td></tr>
{{ range .Alerts.Firing }}{{ template "__relay.email.alert" . }}{{ end -}}
{{ range .Alerts.Resolved }}{{ template "__relay.email.alert" . }}{{ end -}}
{{ template "__relay.email.close" . }}{{ end }}

{{ define "email.default.digest.subject" }}{{ template "__relay.digest.title" . }}{{ end }}

{{ define "email.default.digest.text" }}{{ template "__relay.digest.text_list" . }}{{ end }}

{{ define "email.default.digest.html" -}}
{{ template "__relay.email.open" . }}<tr><td style="padding:14px 16px;background:{{ if eq .Status "firing" }}#c0392b{{ else }}#27ae60{{ end }};color:#ffffff;font-size:16px;font-weight:bold;">{{ html (print (len .Alerts.Firing) " firing, " (len .Alerts.Resolved) " resolved") }} &mdash; digest</td></tr>
<tr><td style="padding:8px 16px;font-size:12px;color:#555;">{{ template "__relay.digest.intro" . }}</td></tr>
{{ range .Alerts }}<tr><td style="padding:8px 16px;border-top:1px solid #e5e5e5;font-size:13px;">
<span style="font-weight:bold;color:{{ if eq .Status "firing" }}#c0392b{{ else }}#27ae60{{ end }};">[{{ .Status | toUpper }}] {{ html .Labels.alertname }}</span>{{ with .Labels.severity }} ({{ html . }}){{ end }}{{ with .Annotations.summary }} {{ html . }}{{ end }}
{{ with .Labels.Remove (stringSlice "alertname" "severity") }}<div style="color:#555;">{{ range $i, $p := .SortedPairs }}{{ if $i }}, {{ end }}{{ html $p.Name }}={{ html $p.Value }}{{ end }}</div>{{ end }}
<div style="color:#777;">{{ template "__relay.digest.when" . }}</div>
</td></tr>
{{ end }}{{ template "__relay.email.close" . }}{{ end }}
`;
