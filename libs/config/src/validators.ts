import { ValidateBy, ValidationOptions, buildMessage } from 'class-validator';
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
export function IsHttpUrl(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isHttpUrl',
      validator: {
        validate: (v) => {
          if (typeof v !== 'string') return false;
          try {
            const u = new URL(v);
            return (u.protocol === 'http:' || u.protocol === 'https:') && u.host !== '';
          } catch {
            return false;
          }
        },
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
