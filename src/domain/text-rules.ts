/**
 * "Not blank" as one pattern: a character that is not JavaScript whitespace (what String#trim
 * removes), listed one by one rather than as `\s`, so that the OpenAPI document can quote the same
 * pattern and every JSON Schema tool reads it alike (Python's `\s`, for one, is another set).
 */
export const NON_BLANK_PATTERN = '[^\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]';

const NON_BLANK = new RegExp(NON_BLANK_PATTERN);

export function isBlank(text: string): boolean {
  return !NON_BLANK.test(text);
}

/** Characters as JSON Schema's maxLength counts them: code points, not UTF-16 units. */
export function characterCount(text: string): number {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}
