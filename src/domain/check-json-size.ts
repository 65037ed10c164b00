import { errors } from '../errors';

/**
 * Bounds a free-form object of a request (index or model parameters) by its size serialized as
 * JSON, as they are stored: INVALID_ARGUMENT naming the field above `maxBytes`.
 */
export function checkJsonSize(value: unknown, field: string, maxBytes: number): void {
  const bytes = Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
  if (bytes > maxBytes) throw errors.invalidArgument(field, `serialized as JSON it is ${bytes} bytes; the limit is ${maxBytes}`);
}
