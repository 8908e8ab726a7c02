import { IsBoolean, IsIn, IsOptional, IsString } from '@relay/models/class-validator';

export const TLS_VERSIONS = ['TLS10', 'TLS11', 'TLS12', 'TLS13'] as const;
export type TlsVersionName = (typeof TLS_VERSIONS)[number];

/** Prometheus' common `tls_config`, as Alertmanager accepts it under `email_configs` and `http_config`. */
export class TlsConfig {
  @IsOptional() @IsString() ca_file?: string;
  @IsOptional() @IsString() cert_file?: string;
  @IsOptional() @IsString() key_file?: string;
  /** PEM text inline, the newer alternative to the `_file` fields. */
  @IsOptional() @IsString() ca?: string;
  @IsOptional() @IsString() cert?: string;
  @IsOptional() @IsString() key?: string;
  @IsOptional() @IsString() server_name?: string;
  @IsOptional() @IsBoolean() insecure_skip_verify?: boolean;

  @IsOptional()
  @IsIn(TLS_VERSIONS, { message: `min_version must be one of ${TLS_VERSIONS.join(', ')}` })
  min_version?: TlsVersionName;

  @IsOptional()
  @IsIn(TLS_VERSIONS, { message: `max_version must be one of ${TLS_VERSIONS.join(', ')}` })
  max_version?: TlsVersionName;
}
