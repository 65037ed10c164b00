import { MODEL_KINDS } from '../../../src/domain';
import { callsOf, ENTRIES, everyKind, everyone, modelOf, onEach, otherKinds, outcomeOf, sleep, useSubjects, type Outcome } from './contract-harness';

/** The same fault gives the same ErrorCode (CONVENTIONS.md) on every provider, naming the same field. */
const subjects = useSubjects();

/** Some 1,500 tokens: more than the 1,024 the generation models are given. */
const TOO_LONG = 'word '.repeat(1500);

describe('the ModelProvider contract: the same faults, the same errors', () => {
  it.each([...MODEL_KINDS])('%s models whose weights (or upstream model) do not exist: FAILED_PRECONDITION on every call', async (kind) => {
    for (const [op, call] of callsOf(kind)) {
      const got = await onEach(subjects, kind, (subject) => outcomeOf(call(subject.provider, modelOf(subject, kind, 'missing'))));
      expect({ op, ...got }).toEqual({ op, ...everyone<Outcome>(kind, { code: 'FAILED_PRECONDITION', fields: [] }) });
    }
  });

  it.each(everyKind())('%s: a %s model asked for another kind is FAILED_PRECONDITION, and nothing runs', async (label, kind) => {
    const subject = subjects[label]!;
    const before = subject.work();
    for (const [op, call] of otherKinds(kind).flatMap((other) => callsOf(other))) {
      expect({ op, ...(await outcomeOf(call(subject.provider, modelOf(subject, kind)))) }).toEqual({ op, code: 'FAILED_PRECONDITION', fields: [] });
    }
    await sleep(200);
    expect(subject.work()).toBe(before);
  });

  it.each(everyKind())('%s: a %s model with a bad parameter is INVALID_ARGUMENT naming it, at registration', async (label, kind) => {
    const subject = subjects[label]!;
    const model = modelOf(subject, kind);
    for (const [key, value] of [['kind', 'sideways'], ['no_such_setting', 1], ['concurrency', 'two']] as const) {
      const got = await outcomeOf(subject.provider.validate({ ...model, parameters: { ...model.parameters, [key]: value } }));
      expect({ key, ...got }).toEqual({ key, code: 'INVALID_ARGUMENT', fields: [`config.parameters.${key}`] });
    }
  });

  it('a prompt longer than the model context is INVALID_ARGUMENT naming prompt, in generate and stream', async () => {
    for (const [op, call] of callsOf('generation', TOO_LONG)) {
      const got = await onEach(subjects, 'generation', (subject, model) => outcomeOf(call(subject.provider, model)));
      expect({ op, ...got }).toEqual({ op, ...everyone<Outcome>('generation', { code: 'INVALID_ARGUMENT', fields: ['prompt'] }) });
    }
  });

  it('a model whose server refuses connections is UNAVAILABLE on every call, and not ready (providers that call out)', async () => {
    const callingOut = ENTRIES.filter((e) => subjects[e.label]!.unreachable !== undefined);
    expect(callingOut.length).toBeGreaterThan(0);
    for (const { label, kinds } of callingOut) {
      const subject = subjects[label]!;
      for (const kind of kinds) {
        const model = modelOf(subject, kind, 'unreachable');
        for (const [op, call] of callsOf(kind)) expect({ label, op, code: (await outcomeOf(call(subject.provider, model))).code }).toEqual({ label, op, code: 'UNAVAILABLE' });
        expect({ label, kind, ready: await subject.provider.isReady(model) }).toEqual({ label, kind, ready: false });
      }
    }
  });
});
