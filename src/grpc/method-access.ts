import { accessOf, type Access } from '../domain';

/** Our services' methods, by their `/package.Service/Method` path, are looked up in the shared access table. */
const OUR_METHOD = /^\/taishang\.ai\.v1\.(\w+)\/(\w+)$/;
/** Probes and the API description stay open, as /healthz and /openapi.json do over REST. */
const PUBLIC_SERVICES = /^\/grpc\.(health\.v1\.Health|reflection\.v1(alpha)?\.ServerReflection)\//;

/**
 * The access a method path needs: public for health and reflection, else the domain's rule for
 * `Service.Method`, which refuses a method it has no rule for (PERMISSION_DENIED).
 */
export function accessOfMethod(path: string): Access {
  if (PUBLIC_SERVICES.test(path)) return 'public';
  const match = OUR_METHOD.exec(path);
  return accessOf(match === null ? path : `${match[1]}.${match[2]}`);
}
