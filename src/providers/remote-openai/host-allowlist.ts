/** One PROVIDER_HOSTS entry: a host (or every subdomain of one) and a port. */
interface HostRule {
  /** `*.example.com`: any name ending in `.example.com`, not `example.com` itself. */
  subdomains: boolean;
  hostname: string;
  /** null: the URL scheme's default port (80 for http, 443 for https). */
  port: number | null;
}

/**
 * Where `openai` base URLs may point (PROVIDER_HOSTS), so that whoever can register a model cannot
 * make this service call arbitrary hosts on its network (SSRF). Names are compared as written
 * after URL normalisation (lower case, punycode, canonical IP forms), never resolved: `localhost`
 * and `127.0.0.1` are different entries. An empty list allows any host.
 */
export class HostAllowlist {
  private readonly rules: readonly HostRule[];

  /** Entries as config validated them: `host`, `host:port`, `*.domain[:port]`, `[v6]:port`. */
  constructor(readonly entries: readonly string[]) {
    this.rules = entries.map(parseRule);
  }

  get restricted(): boolean {
    return this.rules.length > 0;
  }

  allows(url: URL): boolean {
    if (!this.restricted) return true;
    const hostname = trimDot(url.hostname);
    const port = portOf(url);
    return this.rules.some((r) => (r.subdomains ? hostname.endsWith(`.${r.hostname}`) : hostname === r.hostname) && port === (r.port ?? defaultPort(url)));
  }
}

/** `host:port` of a URL, with the default port spelled out, as error messages name it. */
export function hostAndPort(url: URL): string {
  return `${url.hostname}:${portOf(url)}`;
}

/** Throws on an entry that is not a host, host:port or *.domain[:port] (config has refused those already). */
export function parseRule(entry: string): HostRule {
  const subdomains = entry.startsWith('*.');
  const rest = subdomains ? entry.slice(2) : entry;
  const port = /:(\d{1,5})$/.exec(rest);
  const portNumber = port === null ? null : Number(port[1]);
  const url = /[*/\s]/.test(rest) || rest.endsWith(':') || !URL.canParse(`http://${rest}`) ? undefined : new URL(`http://${rest}`);
  const plain = url !== undefined && url.username === '' && url.password === '' && url.pathname === '/' && url.search === '' && url.hash === '';
  if (!plain || (portNumber !== null && (portNumber < 1 || portNumber > 65535))) {
    throw new Error(`'${entry}' is not a host, host:port or *.domain`);
  }
  return { subdomains, hostname: trimDot(url.hostname), port: portNumber };
}

function portOf(url: URL): number {
  return url.port === '' ? defaultPort(url) : Number(url.port);
}

function defaultPort(url: URL): number {
  return url.protocol === 'https:' ? 443 : 80;
}

function trimDot(hostname: string): string {
  return hostname.replace(/\.$/, '');
}
