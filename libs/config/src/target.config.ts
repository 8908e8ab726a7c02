import { Type } from 'class-transformer';
import { Allow, IsBoolean, IsInt, IsOptional, IsString, Matches, Min, ValidateNested } from '@relay/models/class-validator';
import { IsPositiveDuration } from './validators';

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

  /**
   * Under throttling the notifications waiting for this target go out together as one digest
   * (split only as the platform's size limit needs); false keeps one message per notification.
   */
  @IsOptional()
  @IsBoolean()
  digest?: boolean;

  /** Transient failures are retried until the notification is this old (default: global, 6h); then it fails as `expired`. */
  @IsOptional()
  @IsPositiveDuration()
  max_delivery_age?: string;

  /** The longest wait between two tries of a failing delivery (default: global, 5m). */
  @IsOptional()
  @IsPositiveDuration()
  max_retry_interval?: string;

  /** Alertmanager's per-receiver HTTP client settings: accepted so pasted blocks load; the relay uses its own client. */
  @Allow()
  http_config?: unknown;
}
