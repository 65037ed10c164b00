import type { FastifyInstance } from 'fastify';
import { errors } from '../errors';

/**
 * JSON is the only body type (anything else is 415). Fastify's own parser keeps guarding against
 * prototype poisoning; this wrapper adds two things it lacks: an empty body means "no body" (so a
 * bodiless POST .../compact with a JSON content-type works), and a malformed body is reported as
 * INVALID_ARGUMENT with the parser's own explanation.
 */
export function acceptOnlyJsonBodies(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    parseJson(request, text, (error, value) => {
      if (error) done(errors.invalidArgument('body', `malformed JSON: ${explain(text)}`), undefined);
      else done(null, value);
    });
  });
}

/** Fastify's parser hides the SyntaxError; parsing again on this (rare) path recovers it. */
function explain(text: string): string {
  try {
    JSON.parse(text);
    return 'keys __proto__ and constructor.prototype are not allowed';
  } catch (e) {
    return e instanceof Error ? e.message : 'cannot be parsed';
  }
}
