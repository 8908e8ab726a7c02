#!/usr/bin/env node
import 'reflect-metadata';
import { checkConfigCommand } from './check-config.command';
import { sendTestCommand } from './send-test.command';
import { templateRenderCommand } from './template-render.command';

const USAGE = `usage: alert-relay <command> [args]

commands:
  check-config [FILE]                 validate a relay config (default: $RELAY_CONFIG or config/relay.yml)
  template render --template.glob=GLOB... --template.text=TEXT [--template.data=FILE.json]
                                      render a template as Alertmanager (amtool template render) does
  send-test RECEIVER [--url URL]      post a synthetic firing notification to a running ingest
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'check-config':
      return checkConfigCommand(rest, process.stdout, process.stderr);
    case 'template':
      if (rest[0] === 'render') return templateRenderCommand(rest.slice(1), process.stdout, process.stderr);
      process.stderr.write(`unknown template command "${rest[0] ?? ''}"\n\n${USAGE}`);
      return 2;
    case 'send-test':
      return sendTestCommand(rest, process.stdout, process.stderr);
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
