#!/usr/bin/env node
// Each command is imported when it runs: start-up time is module loading, and `template render`
// needs neither Nest nor class-validator (reflect-metadata comes with the libraries that need it).

const USAGE = `usage: alert-relay <command> [args]

commands:
  check-config [FILE]                 validate a relay config (default: $RELAY_CONFIG or config/relay.yml)
  template render --template.glob=GLOB... --template.text=TEXT [--template.data=FILE.json]
                                      render a template as Alertmanager (amtool template render) does
  send-test RECEIVER [--url URL]      post a synthetic firing notification to a running ingest
  import prometheus-webhook-dingtalk CONFIG.yml
                                      print a relay config converted from that tool's config
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'check-config':
      return (await import('./check-config.command')).checkConfigCommand(rest, process.stdout, process.stderr);
    case 'template':
      if (rest[0] === 'render') return (await import('./template-render.command')).templateRenderCommand(rest.slice(1), process.stdout, process.stderr);
      process.stderr.write(`unknown template command "${rest[0] ?? ''}"\n\n${USAGE}`);
      return 2;
    case 'send-test':
      return (await import('./send-test.command')).sendTestCommand(rest, process.stdout, process.stderr);
    case 'import':
      return (await import('./import-dingtalk.command')).importCommand(rest, process.stdout, process.stderr);
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE);
      return command ? 0 : 2;
    default:
      process.stderr.write(`unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`alert-relay: ${(e as Error).message}\n`);
      process.exit(1);
    },
  );
}
