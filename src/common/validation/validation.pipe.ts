import { ValidationPipe } from '@nestjs/common';

/**
 * Global validation: unknown fields are refused (400, "property roles should not exist") rather
 * than silently dropped, values are transformed to the DTO's types, and a body that is not an
 * object (an array, a string) fails instead of slipping past the decorators.
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
