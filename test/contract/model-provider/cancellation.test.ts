import type { GenerationParams } from '../../../src/domain';
import { DomainError } from '../../../src/errors';
import { eventually } from '../../support/real-models';
import { callsOf, everyKind, modelOf, outcomeOf, readStream, serving, sleep, useSubjects, type Subject } from './contract-harness';

/**
 * The caller's AbortSignal: an aborted one never starts work, one that fires stops the work where
 * the model runs (the upstream service's llama.cpp for the remote), and the caller hears why.
 */
const subjects = useSubjects();

const STORY = 'Write a long story about a dragon who learns to bake bread.';
/** Far more than gets produced before the abort lands: a generation that stops early ends 'cancelled', not 'length'. */
const LONG: GenerationParams = { temperature: 0, maxTokens: 400 };

describe.each(everyKind())('the ModelProvider contract: %s serving %s, a signal aborted before the call', (label, kind) => {
  const subject = () => subjects[label]!;

  it('is CANCELLED on every call, and no work starts, not even loading the model', async () => {
    const model = modelOf(subject(), kind);
    await subject().provider.release(model);
    const before = subject().work();
    for (const [op, call] of callsOf(kind)) {
      expect({ op, ...(await outcomeOf(call(subject().provider, model, { signal: AbortSignal.abort() }))) }).toEqual({ op, code: 'CANCELLED', fields: [] });
    }
    // A load the calls started would finish (and be counted) before release returns.
    await subject().provider.release(model);
    await sleep(300);
    expect(subject().work()).toBe(before);
    // The probe can move: the same call without the signal does work.
    await callsOf(kind)[0]![1](subject().provider, model);
    expect(subject().work()).toBeGreaterThan(before);
  });

  it("keeps the signal's reason: a DomainError is passed on, a timeout is DEADLINE_EXCEEDED", async () => {
    const model = modelOf(subject(), kind);
    const reasons = [
      [new DomainError('DEADLINE_EXCEEDED', 'deadline exceeded'), 'DEADLINE_EXCEEDED'],
      [new DOMException('The operation timed out.', 'TimeoutError'), 'DEADLINE_EXCEEDED'],
      [new DOMException('This operation was aborted', 'AbortError'), 'CANCELLED'],
    ] as const;
    for (const [reason, code] of reasons) {
      for (const [op, call] of callsOf(kind)) {
        const got = await outcomeOf(call(subject().provider, model, { signal: AbortSignal.abort(reason) }));
        expect({ op, reason: reason.name, code: got.code }).toEqual({ op, reason: reason.name, code });
      }
    }
  });
});

describe.each(serving('embedding'))('the ModelProvider contract: %s, a signal fired during embed', (label) => {
  it('is CANCELLED', async () => {
    const subject = subjects[label]!;
    const controller = new AbortController();
    const texts = Array.from({ length: 32 }, (_, i) => `Text number ${i} of a batch that takes a moment to embed.`);
    const call = subject.provider.embed(modelOf(subject, 'embedding'), texts, { signal: controller.signal });
    controller.abort();
    expect(await outcomeOf(call)).toEqual({ code: 'CANCELLED', fields: [] });
  });
});

/** Resolves with the next generation that ends where `subject`'s model runs. */
function nextEnd(subject: Subject): Promise<{ finishReason: string; completionTokens: number } | 'none'> {
  const watch = subject.generations!;
  return new Promise((resolve) => {
    const off = watch.onEnd((end) => {
      off();
      resolve(end);
    });
    // Bounds the wait only: a generation that never ends fails the test below, whatever the clock.
    setTimeout(() => {
      off();
      resolve('none');
    }, 20_000).unref();
  });
}

/** The generation ended as cancelled, short of max_tokens, and no token is produced afterwards. */
async function expectStopped(subject: Subject, ended: ReturnType<typeof nextEnd>): Promise<void> {
  const end = await ended;
  expect(end).toMatchObject({ finishReason: 'cancelled' });
  if (end !== 'none') expect(end.completionTokens).toBeLessThan(LONG.maxTokens!);
  const watch = subject.generations!;
  expect(await eventually(() => watch.active === 0, 5_000)).toBe(true);
  const produced = watch.tokensProduced;
  await sleep(300);
  expect(watch.tokensProduced).toBe(produced);
}

describe.each(serving('generation'))('the ModelProvider contract: %s, cancelling a generation stops it where it runs', (label) => {
  const subject = () => subjects[label]!;
  const model = () => modelOf(subject(), 'generation');

  it('a signal fired mid-stream: CANCELLED, no chunk after it, and the generation ends', async () => {
    const controller = new AbortController();
    const ended = nextEnd(subject());
    const read = await readStream(subject().provider.stream(model(), STORY, LONG, { signal: controller.signal }), (n) => {
      if (n === 3) controller.abort();
    });
    expect(read.error).toBeInstanceOf(DomainError);
    expect((read.error as DomainError).code).toBe('CANCELLED');
    expect(read.texts).toHaveLength(3);
    expect(read.results).toEqual([]);
    await expectStopped(subject(), ended);
  });

  it('a consumer that leaves the loop early stops the generation', async () => {
    const ended = nextEnd(subject());
    const read = await readStream(subject().provider.stream(model(), STORY, LONG), (n) => (n === 3 ? 'leave' : undefined));
    expect(read.error).toBeUndefined();
    expect(read.texts).toHaveLength(3);
    await expectStopped(subject(), ended);
  });

  it('a signal fired while generate runs: CANCELLED, and the generation ends', async () => {
    const controller = new AbortController();
    const ended = nextEnd(subject());
    const watch = subject().generations!;
    const from = watch.tokensProduced;
    const call = outcomeOf(subject().provider.generate(model(), STORY, LONG, { signal: controller.signal }));
    expect(await eventually(() => watch.tokensProduced >= from + 3, 20_000)).toBe(true);
    controller.abort();
    expect(await call).toEqual({ code: 'CANCELLED', fields: [] });
    await expectStopped(subject(), ended);
  });
});
