import { grpcDoor, restDoor, type Door } from './door-parity/doors';
import { startParityApp, type ParityApp } from './door-parity/parity-app';

/**
 * AlterAlias under load, on the real app (LanceDB in a temp dir, both doors over loopback): readers
 * search, count and list through an alias while it is switched back and forth between two
 * collections with distinguishable contents. Every answer must come wholly from one of them, and
 * none may fail. Bounded: a fixed number of switches, the readers stopping when the switcher is done.
 */
jest.setTimeout(180_000);

const SWITCHES = 40;
const DIM = 8;
const SIZES = { alpha: 40, beta: 60 } as const;
type Target = keyof typeof SIZES;

function rowsOf(name: Target) {
  return Array.from({ length: SIZES[name] }, (_, i) => ({
    id: `${name[0]}${String(i).padStart(3, '0')}`,
    vector: Array.from({ length: DIM }, (_, d) => ((i * 7 + d * 3) % 11) + 1),
    metadata: { from: name, i },
  }));
}

/** Which collection an answer came from, or a description of what is wrong with it. */
type Verdict = Target | `bad: ${string}`;

function judgeHits(hits: { id: string; metadata: { from?: string } }[]): Verdict {
  const from = new Set(hits.map((h) => h.metadata.from));
  if (hits.length !== 10 || from.size !== 1) return `bad: ${hits.length} hits from ${[...from].join('+')}`;
  const [only] = [...from] as Target[];
  return hits.every((h) => h.id.startsWith(only![0]!)) ? only! : `bad: ids ${hits.map((h) => h.id).join(',')}`;
}

describe('an alias switched under load', () => {
  let app: ParityApp;
  let doors: Door[];

  beforeAll(async () => {
    app = await startParityApp();
    for (const name of ['alpha', 'beta'] as const) {
      await app.vectors.createCollection({ name, vectorDim: DIM, indexParams: { metricType: 'L2' } });
      await app.vectors.insert(name, rowsOf(name));
    }
    await app.vectors.createAlias('live', 'alpha');
    doors = [grpcDoor(() => app.grpc), restDoor(() => app.rest)];
  });
  afterAll(async () => {
    await app?.close();
  });

  it('readers through both doors see only whole answers from one collection or the other, never an error', async () => {
    let switching = true;
    const verdicts: { door: string; call: string; verdict: Verdict }[] = [];
    const failures: string[] = [];

    const reader = async (door: Door, k: number): Promise<void> => {
      for (let n = 0; switching || n < 3; n += 1) {
        const pick = (n + k) % 3;
        const call =
          pick === 0
            ? ({ op: 'search', collection: 'live', queryVector: Array.from({ length: DIM }, (_, d) => d + 1), options: { topK: 10 } } as const)
            : pick === 1
              ? ({ op: 'countVectors', collection: 'live' } as const)
              : ({ op: 'listVectors', collection: 'live', pageSize: 10 } as const);
        const outcome = await door.run(call);
        if (!outcome.ok) {
          failures.push(`${door.name} ${call.op}: ${outcome.code} ${outcome.detail}`);
          continue;
        }
        const verdict: Verdict =
          call.op === 'search'
            ? judgeHits(outcome.result.results)
            : call.op === 'countVectors'
              ? outcome.result.count === SIZES.alpha
                ? 'alpha'
                : outcome.result.count === SIZES.beta
                  ? 'beta'
                  : `bad: count ${outcome.result.count}`
              : judgeHits(outcome.result.vectors);
        verdicts.push({ door: door.name, call: call.op, verdict });
      }
    };

    const switcher = async (): Promise<Target[]> => {
      const targets: Target[] = [];
      for (let s = 0; s < SWITCHES; s += 1) {
        const target: Target = s % 2 === 0 ? 'beta' : 'alpha';
        // Alternate the doors the switch itself goes through.
        const outcome = await doors[s % 2]!.run({ op: 'alterAlias', alias: 'live', collection: target });
        if (!outcome.ok) failures.push(`switch to ${target}: ${outcome.code} ${outcome.detail}`);
        targets.push(target);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      switching = false;
      return targets;
    };

    const [targets] = await Promise.all([switcher(), ...doors.flatMap((door) => [0, 1].map((k) => reader(door, k)))]);

    expect(failures).toEqual([]);
    expect(verdicts.filter((v) => v.verdict.startsWith('bad')).slice(0, 5)).toEqual([]);
    // The readers really read across switches: both collections were seen, through each door.
    for (const door of ['grpc', 'rest']) {
      const seen = new Set(verdicts.filter((v) => v.door === door).map((v) => v.verdict));
      expect({ door, seen: [...seen].sort() }).toEqual({ door, seen: ['alpha', 'beta'] });
    }
    expect(verdicts.length).toBeGreaterThan(SWITCHES);
    // After the last switch, every call reads its target.
    const last = targets[targets.length - 1]!;
    for (const door of doors) {
      const outcome = await door.run({ op: 'countVectors', collection: 'live' });
      expect(outcome).toEqual({ ok: true, result: { count: SIZES[last] } });
    }
  });
});
