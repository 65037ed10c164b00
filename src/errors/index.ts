export { ERROR_CODES, type ErrorCode } from './error-code';
export { DomainError, isDomainError, type FieldViolation } from './domain-error';
export * as errors from './factories';
