import { DomainError } from '../../src/errors';
import { planChat, readToolAnswer } from '../../src/domain/model/structured-output';
import { truncateEmbeddings } from '../../src/domain/model/matryoshka';
import type { GenerationResult, ModelConfig } from '../../src/domain';

const weather = { name: 'get_weather', description: 'Weather of a city.', parameters: { type: 'object', properties: { city: { type: 'string' } } } };
const time = { name: 'get_time' };

function refusal(run: () => unknown): DomainError {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    return e as DomainError;
  }
  throw new Error('expected a refusal');
}

/** The JSON Schema of a plan's output, for reading its branches. */
const schemaOf = (plan: ReturnType<typeof planChat>): any => (plan.output as { schema: unknown }).schema;

const result = (text: string): GenerationResult => ({ text, promptTokens: 3, completionTokens: 5, finishReason: 'stop' });

describe('structured output and tool calls (domain rules)', () => {
  it('maps response formats to output forms, and text to none', () => {
    expect(planChat({})).toEqual({ output: undefined, readsToolCall: false });
    expect(planChat({ responseFormat: { type: 'json_object' } }).output).toEqual({ kind: 'json' });
    expect(planChat({ responseFormat: { type: 'json_schema', name: 'city', schema: { type: 'object' } } }).output).toEqual({ kind: 'json_schema', name: 'city', schema: { type: 'object' } });
    expect(refusal(() => planChat({ responseFormat: { type: 'json_schema', name: 'no spaces' } })).violations[0]!.field).toBe('response_format.json_schema.name');
  });

  it('constrains a required call to the offered tools, auto to a call or content, a name to that tool', () => {
    const required = planChat({ tools: [weather, time], toolChoice: 'required' });
    expect(required.readsToolCall).toBe(true);
    expect(required.preface).toContain('get_weather: Weather of a city.');
    expect(schemaOf(required).oneOf).toHaveLength(2);
    const auto = planChat({ tools: [weather] });
    expect(schemaOf(auto).oneOf.map((b: { properties: object }) => Object.keys(b.properties))).toEqual([['name', 'arguments'], ['content']]);
    const named = planChat({ tools: [weather, time], toolChoice: { name: 'get_time' } });
    expect(schemaOf(named)).toEqual({ type: 'object', properties: { name: { const: 'get_time' }, arguments: { type: 'object', properties: {} } } });
    expect(planChat({ tools: [weather], toolChoice: 'none' }).readsToolCall).toBe(false);
  });

  it('refuses what it cannot honour, naming the field', () => {
    expect(refusal(() => planChat({ toolChoice: 'required' })).violations[0]!.field).toBe('tool_choice');
    expect(refusal(() => planChat({ tools: [weather], toolChoice: { name: 'nope' } })).violations[0]!.field).toBe('tool_choice');
    expect(refusal(() => planChat({ tools: [weather, { ...weather }] })).violations[0]!.field).toBe('tools[1].function.name');
    expect(refusal(() => planChat({ tools: [{ name: 'x', parameters: { type: 'array' } }] })).violations[0]!.field).toBe('tools[0].function.parameters');
    expect(refusal(() => planChat({ tools: [weather], toolChoice: 'required', responseFormat: { type: 'json_object' } })).violations[0]!.field).toBe('response_format');
  });

  it('reads a constrained answer back as a tool call, as content, or as it is when cut short', () => {
    const call = readToolAnswer(result('{"name": "get_weather", "arguments": {"city": "Paris"}}'));
    expect(call).toMatchObject({ text: '', finishReason: 'tool_calls', toolCalls: [{ id: expect.stringMatching(/^call_/), name: 'get_weather', arguments: '{"city":"Paris"}' }] });
    expect(readToolAnswer(result('{"content": "Sunny."}'))).toEqual({ ...result('Sunny.') });
    const cut = { ...result('{"name": "get_wea'), finishReason: 'length' as const };
    expect(readToolAnswer(cut)).toEqual(cut);
  });
});

describe('Matryoshka dimensions (domain rules)', () => {
  const config = (parameters: Record<string, unknown>): ModelConfig => ({ name: 'm', provider: 'transformers', modelId: 'x', parameters, enabled: true });
  const vectors = [{ vector: [3, 4, 12, 0] }];

  it('keeps the model\'s own size, cuts to a declared one and rescales to unit length', () => {
    expect(truncateEmbeddings(config({}), vectors, undefined)).toBe(vectors);
    expect(truncateEmbeddings(config({}), vectors, 4)).toBe(vectors);
    expect(truncateEmbeddings(config({ matryoshka_dimensions: [2] }), vectors, 2)).toEqual([{ vector: [0.6, 0.8] }]);
  });

  it('refuses an undeclared size, naming the sizes it can give', () => {
    expect(refusal(() => truncateEmbeddings(config({}), vectors, 2)).message).toContain('cannot shorten them');
    expect(refusal(() => truncateEmbeddings(config({ matryoshka_dimensions: [2] }), vectors, 3)).message).toContain('can give 4, 2');
  });
});
