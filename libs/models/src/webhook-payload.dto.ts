import {
  IsArray,
  IsIn,
  IsString,
  ValidationArguments,
  ValidatorConstraint,
  ValidatorConstraintInterface,
  Validate,
} from './class-validator';
import { isRfc3339Time } from './rfc3339';

export type AlertStatus = 'firing' | 'resolved';
export type LabelSet = Record<string, string>;

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

/** A real instant in RFC 3339 (see isRfc3339Time), not only something shaped like one. */
@ValidatorConstraint({ name: 'rfc3339Time' })
class Rfc3339TimeConstraint implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return isRfc3339Time(value);
  }
  defaultMessage(args: ValidationArguments): string {
    return `${args.property} must be an RFC3339 time`;
  }
}

@ValidatorConstraint({ name: 'nonNegativeInteger' })
class NonNegativeIntegerConstraint implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return Number.isInteger(value) && (value as number) >= 0;
  }
  defaultMessage(args: ValidationArguments): string {
    return `${args.property} must be a non-negative integer`;
  }
}

/*
 * Absent and null are not the same here, on purpose:
 * - An absent optional field gets the default written on the class below: parseWebhookPayload
 *   builds the DTO from `new AlertDto()` / `new WebhookPayloadDto()` and copies only the keys the
 *   body has, so an absent key keeps its default and the validators see that default.
 * - A present field is checked for its type, null included. There is therefore no @IsOptional
 *   (class-validator's IsOptional lets null through, and null then reached job data, templates
 *   and the dedup identity as null). Alertmanager never sends null: Go builds these maps with
 *   make() and its strings cannot be nil, so `{}` / `""` / the zero time arrive instead. A null
 *   comes from another sender's bug; we answer 400 naming the field rather than normalise it,
 *   because a 400 tells that sender what is wrong, costs nothing on the hot path, and keeps one
 *   rule for every field: absent = default, present = must have the documented type.
 * - Each field has exactly one constraint, so a 400 gives one reason per field.
 * Unknown fields (notification_reason, routeLabels, anything newer) are not checked here (only
 * bounded in depth, by payloadLimitViolation), and never copied onto these classes: a field named
 * `constructor` or `__proto__` on the instance would change what class-validator validates.
 */

/** One alert of a notification, as Alertmanager's webhook v4 sends it. Unknown fields are kept. */
export class AlertDto {
  @IsIn(['firing', 'resolved'], { message: 'status must be "firing" or "resolved"' })
  status: AlertStatus;

  @Validate(StringMapConstraint)
  labels: LabelSet;

  @Validate(StringMapConstraint)
  annotations: LabelSet = {};

  @Validate(Rfc3339TimeConstraint)
  startsAt: string;

  @Validate(Rfc3339TimeConstraint)
  endsAt: string = GO_ZERO_TIME;

  @IsString()
  generatorURL: string = '';

  @IsString()
  fingerprint: string = '';
}

/** Alertmanager webhook v4 body. Newer fields (notification_reason, routeLabels …) pass through. */
export class WebhookPayloadDto {
  @IsString()
  version: string = '4';

  @IsString({ message: 'groupKey must be a string (Alertmanager always sends one)' })
  groupKey: string;

  @Validate(NonNegativeIntegerConstraint)
  truncatedAlerts: number = 0;

  @IsIn(['firing', 'resolved'], { message: 'status must be "firing" or "resolved"' })
  status: AlertStatus;

  @IsString()
  receiver: string = '';

  @Validate(StringMapConstraint)
  groupLabels: LabelSet = {};

  @Validate(StringMapConstraint)
  commonLabels: LabelSet = {};

  @Validate(StringMapConstraint)
  commonAnnotations: LabelSet = {};

  @IsString()
  externalURL: string = '';

  /**
   * Each element is checked as an AlertDto by parseWebhookPayload, one alert at a time, rather
   * than by @ValidateNested: that recursed into arrays within arrays (accepting `[[alert]]`), and
   * one call over every alert could not stop once enough reasons were found.
   */
  @IsArray({ message: 'alerts must be an array' })
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
