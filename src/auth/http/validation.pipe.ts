import { applyDecorators, SetMetadata, UseFilters, UsePipes, ValidationPipe } from '@nestjs/common';
import { AllExceptionsFilter } from './all-exceptions.filter';

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

/**
 * On every built-in controller: its own validation and error shape, whatever the host's global
 * pipes and filters are (a host without `configureAuthApp()` must not get unvalidated bodies).
 */
export const BuiltInEndpoint = (): ClassDecorator =>
  applyDecorators(UsePipes(createValidationPipe()), UseFilters(AllExceptionsFilter), SetMetadata(BUILT_IN_ENDPOINT, true));

/** Marks the module's own controllers (the OpenAPI document closes their request schemas). */
export const BUILT_IN_ENDPOINT = 'nda:built-in-endpoint';
