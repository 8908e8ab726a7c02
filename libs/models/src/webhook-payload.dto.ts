import { Type } from 'class-transformer';
import {
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Min,
  ValidateNested,
  ValidationArguments,
  ValidatorConstraint,
  ValidatorConstraintInterface,
  Validate,
} from 'class-validator';

export type AlertStatus = 'firing' | 'resolved';
export type LabelSet = Record<string, string>;

/** RFC3339 as Alertmanager writes it: up to 9 fractional digits, `Z` or an offset. */
export const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** Alertmanager's zero time, sent as `endsAt` of a firing alert. */
export const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

@ValidatorConstraint({ name: 'stringMap' })
class StringMapConstraint implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return (
      typeof value === 'object' &&
      value !== null &&
      !Array.isArray(value) &&
      Object.values(value).every((v) => typeof v === 'string')
    );
  }
  defaultMessage(args: ValidationArguments): string {
    return `${args.property} must be an object of string values`;
  }
}

/** One alert of a notification, as Alertmanager's webhook v4 sends it. Unknown fields are kept. */
export class AlertDto {
  @IsIn(['firing', 'resolved'], { message: 'status must be "firing" or "resolved"' })
  status: AlertStatus;

  @Validate(StringMapConstraint)
  labels: LabelSet;

  @IsOptional()
  @Validate(StringMapConstraint)
  annotations: LabelSet = {};

  @Matches(RFC3339, { message: 'startsAt must be an RFC3339 time' })
  startsAt: string;

  @IsOptional()
  @Matches(RFC3339, { message: 'endsAt must be an RFC3339 time' })
  endsAt: string = GO_ZERO_TIME;

  @IsOptional()
  @IsString()
  generatorURL: string = '';

  @IsOptional()
  @IsString()
  fingerprint: string = '';
}

/** Alertmanager webhook v4 body. Newer fields (notification_reason, routeLabels …) pass through. */
export class WebhookPayloadDto {
  @IsOptional()
  @IsString()
  version: string = '4';

  @IsString({ message: 'groupKey must be a string (Alertmanager always sends one)' })
  groupKey: string;

  @IsOptional()
  @IsInt()
  @Min(0)
  truncatedAlerts: number = 0;

  @IsIn(['firing', 'resolved'], { message: 'status must be "firing" or "resolved"' })
  status: AlertStatus;

  @IsOptional()
  @IsString()
  receiver: string = '';

  @IsOptional()
  @Validate(StringMapConstraint)
  groupLabels: LabelSet = {};

  @IsOptional()
  @Validate(StringMapConstraint)
  commonLabels: LabelSet = {};

  @IsOptional()
  @Validate(StringMapConstraint)
  commonAnnotations: LabelSet = {};

  @IsOptional()
  @IsString()
  externalURL: string = '';

  @IsArray({ message: 'alerts must be an array' })
  @ValidateNested({ each: true })
  @Type(() => AlertDto)
  alerts: AlertDto[];
}

/** The plain JSON shape of a notification, as stored in job data and handed to templates. */
export interface Alert {
  status: AlertStatus;
  labels: LabelSet;
  annotations: LabelSet;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
  [extra: string]: unknown;
}

export interface WebhookPayload {
  version: string;
  groupKey: string;
  truncatedAlerts: number;
  status: AlertStatus;
  receiver: string;
  groupLabels: LabelSet;
  commonLabels: LabelSet;
  commonAnnotations: LabelSet;
  externalURL: string;
  alerts: Alert[];
  [extra: string]: unknown;
}
