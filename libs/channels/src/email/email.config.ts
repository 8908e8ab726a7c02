import { Type } from 'class-transformer';
import { Allow, buildMessage, IsBoolean, IsOptional, IsString, Matches, ValidateBy, ValidateNested, ValidationOptions } from '@relay/models/class-validator';
import { TargetConfig, TlsConfig } from '@relay/config';

/** `host:port`, `[v6]:port`: Alertmanager's HostPort. */
const HOST_PORT = /^(?:\[([0-9A-Fa-f:.]+)\]|([^\s:[\]]+)):(\d{1,5})$/;

/** Splits `host:port` (or `[::1]:25`); undefined when it is not one or the port is out of range. */
export function parseSmarthost(text: string): { host: string; port: number } | undefined {
  const m = HOST_PORT.exec(text.trim());
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return undefined;
  return { host: m[1] ?? m[2], port };
}

function IsSmarthost(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isSmarthost',
      validator: {
        validate: (v) => typeof v === 'string' && parseSmarthost(v) !== undefined,
        defaultMessage: buildMessage((p) => `${p}must be host:port, such as smtp.example.com:587`, options),
      },
    },
    options,
  );
}

/** Mail header names are case-insensitive: `Subject` and `subject` in one block would be two answers to one question. */
export function canonicalHeaderName(name: string): string {
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());
}

function IsHeaderMap(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isHeaderMap',
      validator: {
        validate: (v) => {
          if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
          const seen = new Set<string>();
          for (const [name, value] of Object.entries(v)) {
            if (typeof value !== 'string' || !/^[!-9;-~]+$/.test(name)) return false;
            const canonical = canonicalHeaderName(name);
            if (seen.has(canonical)) return false;
            seen.add(canonical);
          }
          return true;
        },
        defaultMessage: buildMessage(
          (p) => `${p}must map header names to template strings, each name once whatever its case`,
          options,
        ),
      },
    },
    options,
  );
}

/**
 * Alertmanager's `email_configs` entry. Unset connection fields (`from`, `smarthost`, `hello`,
 * `auth_*`, `require_tls`) come from `global.smtp_*` when the worker resolves the target.
 */
export class EmailConfig extends TargetConfig {
  /** Recipients, comma-separated; templated as in Alertmanager. */
  @Matches(/\S/, { message: 'to is required: the address, or comma-separated addresses, to notify' })
  to: string;

  @IsOptional() @IsString() from?: string;

  @IsOptional()
  @IsSmarthost()
  smarthost?: string;

  @IsOptional() @IsString() hello?: string;
  @IsOptional() @IsString() auth_username?: string;
  @IsOptional() @IsString() auth_password?: string;
  @IsOptional() @IsString() auth_password_file?: string;
  /** CRAM-MD5's shared secret. */
  @IsOptional() @IsString() auth_secret?: string;
  @IsOptional() @IsString() auth_secret_file?: string;
  /** PLAIN's authorization identity. */
  @IsOptional() @IsString() auth_identity?: string;

  /** STARTTLS required; unset = `global.smtp_require_tls`, itself true by default. Port 465 is implicit TLS instead. */
  @IsOptional() @IsBoolean() require_tls?: boolean;

  /** Unset: implicit TLS exactly when the port is 465. True/false force it on/off whatever the port. */
  @IsOptional() @IsBoolean() force_implicit_tls?: boolean;

  @IsOptional()
  @ValidateNested()
  @Type(() => TlsConfig)
  tls_config?: TlsConfig;

  @IsOptional()
  @IsString()
  html: string = '{{ template "email.default.html" . }}';

  /** Alertmanager leaves this empty; the relay always sends a plain-text part too, for pagers and text-only clients. */
  @IsOptional()
  @IsString()
  text: string = '{{ template "email.default.text" . }}';

  /** Templated headers; Subject, To and From default to Alertmanager's (subject template, `to`, `from`). */
  @IsOptional()
  @IsHeaderMap()
  headers: Record<string, string> = {};

  /** Alertmanager 0.30+ threads a group's mails with References headers; accepted so pasted blocks load, warned about when enabled (emailWarnings). */
  @Allow()
  threading?: unknown;
}

/** What a valid target sets that the relay does not act on: one start-up warning each. */
export function emailWarnings(block: EmailConfig): string[] {
  const threading = block.threading as { enabled?: unknown } | undefined;
  const warnings: string[] = [];
  if (threading?.enabled === true) warnings.push('threading: accepted, not used: the relay sends no References / In-Reply-To headers, so each mail starts its own thread');
  if (block.http_config !== undefined) warnings.push('http_config: accepted, not used: email has no HTTP client (Alertmanager has no such field here either)');
  return warnings;
}

type SmtpGlobals = { smtp_smarthost?: string; smtp_from?: string };

/**
 * What Alertmanager also refuses at load: a target with no smarthost or no sender, neither its
 * own nor global (CHANNEL_SPECS.email.checkTarget, reported at the target's path).
 */
export function emailTargetIssue(block: EmailConfig, global: SmtpGlobals): string | undefined {
  const problems: string[] = [];
  if (!block.smarthost) {
    if (!global.smtp_smarthost) problems.push('smarthost is required (or global.smtp_smarthost)');
    else if (!parseSmarthost(global.smtp_smarthost)) problems.push(`global.smtp_smarthost "${global.smtp_smarthost}" must be host:port, such as smtp.example.com:587`);
  }
  if (!block.from && !global.smtp_from) problems.push('from is required (or global.smtp_from)');
  if (block.auth_password && block.auth_password_file) problems.push('set auth_password or auth_password_file, not both');
  if (block.auth_secret && block.auth_secret_file) problems.push('set auth_secret or auth_secret_file, not both');
  return problems.length ? problems.join('; ') : undefined;
}
