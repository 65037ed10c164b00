import { PROVIDERS, type ModelKind } from '../../../src/domain';
import { ENTRIES, everyKind, modelOf, useSubjects } from './contract-harness';

/** What each provider says about its models before and after loading them. */
const subjects = useSubjects();

describe.each(everyKind())('the ModelProvider contract: %s serving %s models', (label, kind) => {
  const subject = () => subjects[label]!;
  const model = () => modelOf(subject(), kind);

  it('reports its name and the kind of the model, and sizes the domain can plan with', () => {
    const { provider } = subject();
    expect(PROVIDERS).toContain(provider.name);
    expect(provider.name).toBe(model().provider);
    expect(provider.kindOf(model())).toBe<ModelKind>(kind);
    const sizes = { context: provider.contextSizeOf(model()), concurrency: provider.concurrencyOf(model()), batch: provider.maxBatchOf(model()) };
    for (const [size, n] of Object.entries(sizes)) expect({ size, positiveInteger: Number.isInteger(n) && n >= 1 }).toEqual({ size, positiveInteger: true });
    // An embedding model takes more than one text per call; a generation model's batch is unused.
    if (kind === 'embedding') expect(sizes.batch).toBeGreaterThan(1);
  });

  it('accepts its model for registration and is ready to answer', async () => {
    const { provider } = subject();
    await expect(provider.validate(model())).resolves.toBeUndefined();
    expect(await provider.isReady(model())).toBe(true);
  });

  it('is not ready for a model whose weights (or upstream model) do not exist', async () => {
    expect(await subject().provider.isReady(modelOf(subject(), kind, 'missing'))).toBe(false);
  });

  it('answers again after release (a reload, or nothing to drop)', async () => {
    const { provider } = subject();
    await provider.release(model());
    expect(await provider.isReady(model())).toBe(true);
  });
});

describe('the ModelProvider contract: the entries', () => {
  it('cover every provider the service knows', () => {
    expect([...new Set(ENTRIES.map((e) => e.provider))].sort()).toEqual([...PROVIDERS].sort());
  });

  it('each model of an entry is of its provider', () => {
    for (const entry of ENTRIES) {
      const { provider, models, missing } = subjects[entry.label]!;
      expect(provider.name).toBe(entry.provider);
      for (const kind of entry.kinds) for (const config of [models[kind], missing[kind]]) expect(config?.provider).toBe(entry.provider);
    }
  });
});
