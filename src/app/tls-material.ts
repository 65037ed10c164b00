import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ServerCredentials } from '@grpc/grpc-js';
import type { ServerOptions as HttpsServerOptions } from 'node:https';
import { ConfigError, type Config } from '../config/config';

/** The PEM files named by TLS_*, read once at start. */
export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
  /** Client certificates must chain to this CA (mutual TLS on both doors); absent = none asked for. */
  clientCa?: Buffer;
}

/**
 * Reads and checks the TLS files, or undefined when TLS is off. A missing or wrong file is a
 * ConfigError naming its variable, so the service stops at start rather than at the first handshake.
 */
export function readTlsMaterial(config: Config): TlsMaterial | undefined {
  if (config.tlsCertFile === '') return undefined;
  const cert = readPem('TLS_CERT_FILE', config.tlsCertFile);
  const key = readPem('TLS_KEY_FILE', config.tlsKeyFile);
  const certificate = parse('TLS_CERT_FILE', config.tlsCertFile, 'a PEM certificate', () => new X509Certificate(cert));
  const privateKey = parse('TLS_KEY_FILE', config.tlsKeyFile, 'an unencrypted PEM private key', () => createPrivateKey(key));
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new ConfigError(`TLS_KEY_FILE=${config.tlsKeyFile}: is not the key of the certificate in TLS_CERT_FILE`);
  }
  if (config.tlsClientCaFile === '') return { cert, key };
  const clientCa = readPem('TLS_CLIENT_CA_FILE', config.tlsClientCaFile);
  parse('TLS_CLIENT_CA_FILE', config.tlsClientCaFile, 'a PEM certificate', () => new X509Certificate(clientCa));
  return { cert, key, clientCa };
}

/** gRPC over TLS; with a client CA, a client without a certificate it signed fails the handshake. */
export function grpcCredentials(tls: TlsMaterial | undefined): ServerCredentials {
  if (tls === undefined) return ServerCredentials.createInsecure();
  return ServerCredentials.createSsl(tls.clientCa ?? null, [{ cert_chain: tls.cert, private_key: tls.key }], tls.clientCa !== undefined);
}

/** The same certificate (and client check) for HTTPS, as Node's https server options. */
export function httpsOptions(tls: TlsMaterial): HttpsServerOptions {
  const mutual = tls.clientCa === undefined ? {} : { ca: tls.clientCa, requestCert: true, rejectUnauthorized: true };
  return { cert: tls.cert, key: tls.key, ...mutual };
}

function readPem(variable: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e));
    throw new ConfigError(`${variable}=${path}: cannot be read (${reason})`);
  }
}

function parse<T>(variable: string, path: string, what: string, read: () => T): T {
  try {
    return read();
  } catch {
    throw new ConfigError(`${variable}=${path}: is not ${what}`);
  }
}
