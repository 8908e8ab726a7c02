import { ValidateBy, ValidationArguments, ValidationOptions, buildMessage } from '@relay/models/class-validator';
import { parseDuration, parseSize } from './units';

export function IsDuration(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isDuration',
      validator: {
        validate: (v) => (typeof v === 'string' || v === 0) && parseDuration(v as string | number) !== undefined,
        defaultMessage: buildMessage((p) => `${p}must be a duration such as 30s, 5m or 1h30m`, options),
      },
    },
    options,
  );
}

export function IsPositiveDuration(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isPositiveDuration',
      validator: {
        validate: (v) => typeof v === 'string' && (parseDuration(v) ?? 0) > 0,
        defaultMessage: buildMessage((p) => `${p}must be a positive duration such as 30s, 5m or 1h30m`, options),
      },
    },
    options,
  );
}

export function IsByteSize(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isByteSize',
      validator: {
        validate: (v) => (typeof v === 'string' || typeof v === 'number') && parseSize(v) !== undefined,
        defaultMessage: buildMessage((p) => `${p}must be a size such as 1MiB, 512KiB or a number of bytes`, options),
      },
    },
    options,
  );
}

/** http(s) URL with a host; the platform URLs and Alertmanager links must be absolute. */
export function isHttpUrl(v: unknown): v is string {
  if (typeof v !== 'string') return false;
  try {
    const u = new URL(v);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.host !== '';
  } catch {
    return false;
  }
}

export function IsHttpUrl(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isHttpUrl',
      validator: {
        validate: isHttpUrl,
        defaultMessage: buildMessage((p) => `${p}must be an http(s) URL`, options),
      },
    },
    options,
  );
}

export function IsTimeZone(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isTimeZone',
      validator: {
        validate: (v) => {
          if (typeof v !== 'string' || v === '') return false;
          // The canonical names are a list lookup; a formatter costs ~30 ms of ICU set-up, a tenth
          // of check-config, so it is built only for the aliases (Asia/Calcutta, US/Eastern…).
          if (v === 'UTC' || Intl.supportedValuesOf('timeZone').includes(v)) return true;
          try {
            new Intl.DateTimeFormat('en-US', { timeZone: v });
            return true;
          } catch {
            return false;
          }
        },
        defaultMessage: buildMessage((p) => `${p}must be an IANA time zone such as UTC or Asia/Shanghai`, options),
      },
    },
    options,
  );
}

const present = (v: unknown) => v !== undefined && v !== null && v !== '';

/** Refuses a field set together with any of `others` (Alertmanager's "at most one of" rules). */
export function NotWith(others: string[], options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'notWith',
      constraints: others,
      validator: {
        validate: (value, args?: ValidationArguments) => {
          if (!present(value)) return true;
          const object = args?.object as Record<string, unknown>;
          return !others.some((k) => present(object[k]));
        },
        defaultMessage: (args?: ValidationArguments) => {
          const object = args?.object as Record<string, unknown>;
          const clash = others.filter((k) => present(object[k]));
          return `set ${args?.property} or ${clash.join(' / ')}, not both`;
        },
      },
    },
    options,
  );
}
