import { Transform } from 'class-transformer';
import { registerDecorator, ValidationArguments, ValidationOptions } from 'class-validator';
import { passwordProblem } from '../passwords/password-policy';
import { isPlausibleEmail, normaliseEmail } from '../accounts/email';

/** Trims and lower-cases a string (other types pass through to fail validation). */
export const NormaliseEmail = () =>
  Transform(({ value }) => (typeof value === 'string' ? normaliseEmail(value) : value));

/** Trims a string (other types pass through to fail validation). */
export const Trim = () => Transform(({ value }) => (typeof value === 'string' ? value.trim() : value));

export function IsPlausibleEmail(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isPlausibleEmail',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `${String(propertyName)} must be an email address`, ...options },
      validator: { validate: (value: unknown) => typeof value === 'string' && isPlausibleEmail(value) },
    });
}

/** The password rules of docs/API.md; the message is the reason it was refused. */
export function IsAcceptablePassword(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isAcceptablePassword',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: (args: ValidationArguments) =>
          (passwordProblem(args.value) ?? 'password is not acceptable').replace(/^password/, args.property),
        ...options,
      },
      validator: { validate: (value: unknown) => passwordProblem(value) === undefined },
    });
}

/** Printable text only: no control characters (they break logs and UIs). */
export function HasNoControlCharacters(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'hasNoControlCharacters',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `${String(propertyName)} must not contain control characters`, ...options },
      // eslint-disable-next-line no-control-regex
      validator: { validate: (value: unknown) => typeof value === 'string' && !/[\u0000-\u001f\u007f]/.test(value) },
    });
}
