import type * as ClassValidator from 'class-validator';

/*
 * The class-validator functions the relay uses, each loaded from its own file. The package's
 * index loads all of its decorators, and with them validator.js whole and libphonenumber-js's
 * metadata: about 250 ms of CPU at every start of every process and command (check-config,
 * npm start, each worker) for decorators the relay never uses. Types are the package's own; a
 * lint rule sends every other import of class-validator's functions here.
 */
type Exports = typeof ClassValidator;
function load<K extends keyof Exports>(file: string, name: K): Exports[K] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(`class-validator/cjs/${file}`)[name];
}

export const Allow = load('decorator/common/Allow', 'Allow');
export const IsDefined = load('decorator/common/IsDefined', 'IsDefined');
export const IsIn = load('decorator/common/IsIn', 'IsIn');
export const IsNotEmpty = load('decorator/common/IsNotEmpty', 'IsNotEmpty');
export const IsOptional = load('decorator/common/IsOptional', 'IsOptional');
export const Validate = load('decorator/common/Validate', 'Validate');
export const ValidatorConstraint = load('decorator/common/Validate', 'ValidatorConstraint');
export const ValidateBy = load('decorator/common/ValidateBy', 'ValidateBy');
export const buildMessage = load('decorator/common/ValidateBy', 'buildMessage');
export const ValidateIf = load('decorator/common/ValidateIf', 'ValidateIf');
export const ValidateNested = load('decorator/common/ValidateNested', 'ValidateNested');
export const Min = load('decorator/number/Min', 'Min');
export const Matches = load('decorator/string/Matches', 'Matches');
export const IsArray = load('decorator/typechecker/IsArray', 'IsArray');
export const IsBoolean = load('decorator/typechecker/IsBoolean', 'IsBoolean');
export const IsInt = load('decorator/typechecker/IsInt', 'IsInt');
export const IsString = load('decorator/typechecker/IsString', 'IsString');

const Validator = load('validation/Validator', 'Validator');
const getFromContainer = load('container', 'getFromContainer');

/** class-validator's validateSync for an instance, as its index defines it (the container's Validator). */
export function validateSync(object: object, options?: ClassValidator.ValidatorOptions): ClassValidator.ValidationError[] {
  return getFromContainer(Validator).validateSync(object, options);
}

export type { ValidationArguments, ValidationError, ValidationOptions, ValidatorConstraintInterface } from 'class-validator';
