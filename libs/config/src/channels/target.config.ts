import { Type } from 'class-transformer';
import { Allow, IsBoolean, IsInt, IsOptional, IsString, Matches, Min, ValidateNested } from 'class-validator';
import { IsPositiveDuration } from '../validators';

/** `rate_limit: {max, per, penalty}`: a rolling window per target, shared by every replica. */
export class RateLimitConfig {
  @IsInt({ message: 'max must be a whole number' })
  @Min(1)
  max: number;

  @IsPositiveDuration()
  per: string;

  // Zero would retry a throttled robot at once, straight back into the platform's penalty.
  @IsOptional()
  @IsPositiveDuration()
  penalty?: string;
}

/** Fields every channel target has, on top of its platform's own. */
export abstract class TargetConfig {
  /** Overrides the generated `<receiver>/<channel>/<index>` name used in metrics, logs and job data. */
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_.:/-]+$/, { message: 'name may only use letters, digits and _ . : / -' })
  name?: string;

  @IsOptional()
  @IsBoolean()
  send_resolved?: boolean;

  @IsOptional()
  @ValidateNested()
  @Type(() => RateLimitConfig)
  rate_limit?: RateLimitConfig;

  /** Alertmanager's per-receiver HTTP client settings: accepted so pasted blocks load; the relay uses its own client. */
  @Allow()
  http_config?: unknown;
}
