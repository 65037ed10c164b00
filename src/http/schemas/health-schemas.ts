import { Type } from '@sinclair/typebox';

export const HealthResponse = Type.Object(
  {
    healthy: Type.Boolean({ description: 'Whether the vector engine answers.' }),
    message: Type.String(),
  },
  { description: 'HealthResponse.', examples: [{ healthy: true, message: 'lance: ok' }] },
);

export const ProbeResponse = Type.Object(
  { status: Type.Union([Type.Literal('ok'), Type.Literal('ready'), Type.Literal('not_ready')]) },
  { description: 'Probe result.', examples: [{ status: 'ready' }] },
);
