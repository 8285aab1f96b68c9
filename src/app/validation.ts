import { ValidationPipe } from '@nestjs/common';

/**
 * The app's global validation for its own routes, with the auth module's rules: unknown fields
 * are refused (400) rather than dropped, values are transformed to the DTO's types, and a body
 * that is not an object fails instead of slipping past the decorators.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
  });
}
