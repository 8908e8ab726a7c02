/**
 * An ingest with its webhook behind a bearer token and Bull Board behind basic auth, as a
 * production config has them: what the auth, hostile-input and fuzz specs attack.
 */
export const GUARDED_INGEST = {
  token: 'ingest-s3cret',
  dashboardPassword: 'dash-s3cret',
  env: { INGEST_TOKEN: 'ingest-s3cret', DASHBOARD_PASSWORD: 'dash-s3cret' },
  yaml: `
ingest:
  auth: { bearer_token: \${INGEST_TOKEN} }
dashboard:
  basic_auth: { username: admin, password: \${DASHBOARD_PASSWORD} }
receivers:
  - name: ops
    dingtalk_configs:
      - url: https://oapi.dingtalk.com/robot/send?access_token=opsrobottoken
`,
} as const;
