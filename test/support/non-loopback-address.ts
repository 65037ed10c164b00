import { execFile } from 'node:child_process';
import { networkInterfaces } from 'node:os';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** From TEST-NET-2 (RFC 5737): documentation only, never routed, so adding it reaches nothing else. */
const ADDED = '198.51.100.77';

export interface NonLoopbackAddress {
  /** An IPv4 address of this machine outside 127.0.0.0/8. */
  address: string;
  /** Takes the address away again when this test added it; otherwise nothing. */
  release(): Promise<void>;
}

/** This machine's first IPv4 address outside 127.0.0.0/8, on any interface. */
export function ownNonLoopbackAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((i) => i !== undefined && i.family === 'IPv4' && !i.address.startsWith('127.'))?.address;
}

/**
 * An address other than loopback where this machine answers, so a test can tell a bind to
 * 127.0.0.1 from one to 0.0.0.0: the machine's own, or else 198.51.100.77 added to the loopback
 * interface for the test (`ip addr add`, which needs root or CAP_NET_ADMIN; a CI container with
 * only `lo` has it). Throws when there is none and none can be made: the bind checks could not be
 * judged, and a test that passed without judging them would hide an open default.
 */
export async function nonLoopbackAddress(): Promise<NonLoopbackAddress> {
  const own = ownNonLoopbackAddress();
  if (own !== undefined) return { address: own, release: async () => undefined };
  try {
    await run('ip', ['addr', 'add', `${ADDED}/32`, 'dev', 'lo']);
  } catch (e) {
    const why = (e as { stderr?: string }).stderr?.trim() || (e as Error).message;
    throw new Error(
      `no IPv4 address outside 127.0.0.0/8 on this machine, and adding ${ADDED} to lo failed (${why}): ` +
        'run as root (or with CAP_NET_ADMIN) or on a machine with a network interface, so the bind checks can be judged',
    );
  }
  return {
    address: ADDED,
    release: async () => {
      await run('ip', ['addr', 'del', `${ADDED}/32`, 'dev', 'lo']);
    },
  };
}
