export { ERROR_CODES, type ErrorCode } from './error-code';
export { DomainError, INTERNAL_MESSAGE, isDomainError, type FieldViolation } from './domain-error';
export * as errors from './factories';
