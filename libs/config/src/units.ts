/** Prometheus duration syntax (`5m`, `1h30m`, `250ms`, `1d`), as Alertmanager's config uses. */
const DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const UNIT_MS = [365 * 86400e3, 7 * 86400e3, 86400e3, 3600e3, 60e3, 1e3, 1];

/** Go/Prometheus durations such as `30s`, `5m`, `1h30m`; a bare `0` (YAML reads it as a number) is zero, as in Alertmanager. */
export function parseDuration(text: string | number): number | undefined {
  if (text === '0' || text === 0) return 0;
  if (typeof text !== 'string') return undefined;
  const m = DURATION.exec(text);
  if (!m || text === '') return undefined;
  return UNIT_MS.reduce((sum, unit, i) => sum + (m[i + 1] ? Number(m[i + 1]) * unit : 0), 0);
}

export function isDuration(text: unknown): text is string | number {
  return (typeof text === 'string' || typeof text === 'number') && parseDuration(text) !== undefined;
}

const SIZE = /^(\d+)\s*(B|KB|KiB|MB|MiB)?$/;
const SIZE_UNITS: Record<string, number> = { B: 1, KB: 1e3, KiB: 1024, MB: 1e6, MiB: 1024 * 1024 };

/** Byte sizes such as `1MiB`, `512KiB`, `100000`. */
export function parseSize(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isInteger(text) && text > 0 ? text : undefined;
  const m = SIZE.exec(text.trim());
  return m ? Number(m[1]) * SIZE_UNITS[m[2] ?? 'B'] : undefined;
}
