import type { CallContext, ServerMiddleware, ServerMiddlewareCall } from 'nice-grpc';
import { accessOf, type Access, type AccessControl, type Principal } from '../domain';
import { presentedKey } from '../transport/bearer-token';
import type { RequestContext } from './logging-middleware';

/** What the auth middleware adds to a call's context: whom the key identified (undefined when none was needed). */
export interface AuthContext {
  principal: Principal | undefined;
}

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

/**
 * Checks the `authorization: Bearer <key>` metadata against the method's access and the caller's
 * rate limit before the handler runs; a method with no access rule is refused (fail closed). It runs
 * inside the error mapping, so its DomainErrors reach the client as UNAUTHENTICATED,
 * PERMISSION_DENIED or RESOURCE_EXHAUSTED with RetryInfo, and inside the logging, so denied calls
 * are logged with their status and (for known keys) the key's name.
 */
export function authMiddleware(access: AccessControl): ServerMiddleware<AuthContext, RequestContext> {
  return async function* authorize<Request, Response>(
    call: ServerMiddlewareCall<Request, Response, AuthContext & RequestContext>,
    context: CallContext & RequestContext,
  ): AsyncGenerator<Response, Response | void, undefined> {
    const needed = accessOfMethod(call.method.path);
    const authorization = context.metadata.get('authorization');
    const principal = access.authenticate(needed, presentedKey(typeof authorization === 'string' ? authorization : undefined));
    let log = context.log;
    if (principal !== undefined) {
      if (context.caller) context.caller.keyName = principal.name;
      log = log.child({ keyName: principal.name });
    }
    access.throttle(needed, principal, addressOf(context.peer));
    return yield* call.next(call.request, { ...context, log, principal });
  };
}

/** grpc-js peers look like `ipv4:127.0.0.1:53412` or `ipv6:[::1]:53412`: the port changes per connection. */
function addressOf(peer: string): string {
  return peer.replace(/:\d+$/, '');
}
