/** The method label of calls outside the measured services, so the label set stays bounded. */
export const UNKNOWN_METHOD = 'unknown';

/**
 * The metrics label of a method path: `VectorService/Search` for methods of `services` (full
 * names such as `taishang.ai.v1.VectorService`), UNKNOWN_METHOD for anything else.
 */
export function methodLabel(path: string, services: ReadonlySet<string>): string {
  const [, service = '', method = ''] = path.split('/');
  if (!services.has(service) || method === '') return UNKNOWN_METHOD;
  return `${service.slice(service.lastIndexOf('.') + 1)}/${method}`;
}
