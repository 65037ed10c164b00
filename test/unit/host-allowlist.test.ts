import { ConfigError, loadConfig } from '../../src/config/config';
import { HostAllowlist, hostAndPort, parseRule } from '../../src/providers/remote-openai/host-allowlist';

const allows = (entries: string[], url: string): boolean => new HostAllowlist(entries).allows(new URL(url));

describe('HostAllowlist (PROVIDER_HOSTS)', () => {
  it('allows any host when empty', () => {
    expect(allows([], 'http://10.0.0.1:1234/v1')).toBe(true);
    expect(new HostAllowlist([]).restricted).toBe(false);
  });

  it('an entry without a port allows only the scheme\'s default port', () => {
    const list = ['api.openai.com'];
    expect(allows(list, 'https://api.openai.com/v1')).toBe(true);
    expect(allows(list, 'https://api.openai.com:443/v1')).toBe(true);
    expect(allows(list, 'http://api.openai.com/v1')).toBe(true);
    expect(allows(list, 'https://api.openai.com:8443/v1')).toBe(false);
    expect(allows(list, 'https://api.openai.com.evil.example/v1')).toBe(false);
    expect(allows(list, 'https://evil-api.openai.com/v1')).toBe(false);
  });

  it('an entry with a port allows that port only', () => {
    const list = ['127.0.0.1:8000'];
    expect(allows(list, 'http://127.0.0.1:8000/v1')).toBe(true);
    expect(allows(list, 'http://127.0.0.1:8001/v1')).toBe(false);
    expect(allows(list, 'http://127.0.0.1/v1')).toBe(false);
    expect(allows(['example.com:443'], 'https://example.com/v1')).toBe(true);
  });

  it('*.domain allows subdomains at any depth, not the domain itself', () => {
    const list = ['*.example.com'];
    expect(allows(list, 'https://a.example.com/v1')).toBe(true);
    expect(allows(list, 'https://a.b.example.com/v1')).toBe(true);
    expect(allows(list, 'https://example.com/v1')).toBe(false);
    expect(allows(list, 'https://badexample.com/v1')).toBe(false);
    expect(allows(list, 'https://a.example.com.attacker.net/v1')).toBe(false);
    expect(allows(['*.example.com:8080'], 'http://x.example.com:8080/')).toBe(true);
    expect(allows(['*.example.com:8080'], 'http://x.example.com/')).toBe(false);
  });

  it('compares normalised names, never resolved ones', () => {
    expect(allows(['API.OpenAI.com'], 'https://api.openai.COM/v1')).toBe(true);
    expect(allows(['api.openai.com'], 'https://api.openai.com./v1')).toBe(true);
    // Other spellings of an IPv4 address are normalised by the URL parser before matching.
    expect(allows(['127.0.0.1:8000'], 'http://2130706433:8000/v1')).toBe(true);
    expect(allows(['127.0.0.1:8000'], 'http://0x7f.1:8000/v1')).toBe(true);
    expect(allows(['127.0.0.1:8000'], 'http://localhost:8000/v1')).toBe(false);
    expect(allows(['[::1]:8000'], 'http://[0:0::1]:8000/v1')).toBe(true);
    expect(allows(['[::1]:8000'], 'http://127.0.0.1:8000/v1')).toBe(false);
  });

  it('ignores user info in the URL: the host decides', () => {
    expect(allows(['api.openai.com'], 'https://api.openai.com@evil.example/v1')).toBe(false);
    expect(allows(['evil.example'], 'https://api.openai.com@evil.example/v1')).toBe(true);
  });

  it('names host:port with the default port spelled out', () => {
    expect(hostAndPort(new URL('https://api.openai.com/v1'))).toBe('api.openai.com:443');
    expect(hostAndPort(new URL('http://127.0.0.1:8000/v1'))).toBe('127.0.0.1:8000');
  });
});

describe('PROVIDER_HOSTS in config', () => {
  const good = ['api.openai.com', '127.0.0.1:8000', '*.example.com', '*.example.com:8443', 'localhost', '[::1]:8000', 'my-host'];
  const bad = ['http://api.openai.com', 'host/v1', 'host:0', 'host:70000', 'host:', '*', '*.', 'a.*.com', 'user@host', 'host?x', '::1', 'ho st'];

  it('reads a comma-separated list; unset is empty (any host)', () => {
    expect(loadConfig({}).providerHosts).toEqual([]);
    expect(loadConfig({ PROVIDER_HOSTS: ' api.openai.com, 127.0.0.1:8000 ,,' }).providerHosts).toEqual(['api.openai.com', '127.0.0.1:8000']);
  });

  it('accepts hosts, host:port and *.domain; refuses anything else, naming each bad entry in one message', () => {
    expect(loadConfig({ PROVIDER_HOSTS: good.join(',') }).providerHosts).toEqual(good);
    let message = '';
    try {
      loadConfig({ PROVIDER_HOSTS: bad.join(',') });
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      message = (e as Error).message;
    }
    expect(message).toContain('PROVIDER_HOSTS');
    for (const entry of bad) expect(message).toContain(JSON.stringify(entry));
  });

  it('config and the provider read entries alike', () => {
    for (const entry of good) expect(() => parseRule(entry)).not.toThrow();
    for (const entry of bad) expect(() => parseRule(entry)).toThrow();
  });
});
