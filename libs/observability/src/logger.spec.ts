import pino from 'pino';
import { readableDestination, readableLine } from './logger';

describe('readable log lines (stdout a terminal)', () => {
  it('puts time, level, context and message first, then the fields, an error stack below', () => {
    const line = readableLine(
      JSON.stringify({ level: 50, time: '2026-12-02T01:12:04.083Z', service: 'alert-relay', context: 'Worker', msg: 'send failed', target: 'ops/dingtalk/0', status: 503, err: { message: 'boom', stack: 'Error: boom\n    at x' } }),
    );
    expect(line).toBe('01:12:04.083 ERROR [Worker] send failed target=ops/dingtalk/0 status=503\n    Error: boom\n        at x\n');
  });

  it('quotes values with spaces; a line that is not JSON passes through', () => {
    expect(readableLine('{"level":30,"time":"2026-12-02T00:00:00.000Z","msg":"m","note":"two words"}')).toBe('00:00:00.000 INFO  m note="two words"\n');
    expect(readableLine('plain\n')).toBe('plain\n');
  });

  it('is a pino destination', () => {
    let out = '';
    const log = pino({ base: undefined, timestamp: () => ',"time":"2026-12-02T00:00:00.000Z"' }, readableDestination({ write: (s: string) => ((out += s), true) } as never));
    log.warn({ setting: 'ingest.auth' }, 'no auth');
    expect(out).toBe('00:00:00.000 WARN  no auth setting=ingest.auth\n');
  });
});
