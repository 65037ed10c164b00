/**
 * Server-Sent Events (WHATWG HTML §9.2) reduced to what OpenAI-compatible servers send: the `data`
 * of each event, multi-line data joined by "\n"; comments and other fields are skipped. The
 * stream ends at the `[DONE]` sentinel or when the body ends.
 */
export async function* sseData(body: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string[] = [];
  for await (const bytes of body) {
    buffer += decoder.decode(bytes, { stream: true });
    let newline: RegExpExecArray | null;
    while ((newline = /\r\n|\r|\n/.exec(buffer)) !== null) {
      // A lone "\r" at the end may be the first half of "\r\n": wait for the next bytes.
      if (newline[0] === '\r' && newline.index === buffer.length - 1) break;
      const line = buffer.slice(0, newline.index);
      buffer = buffer.slice(newline.index + newline[0].length);
      if (line === '') {
        if (data.length > 0) {
          const event = data.join('\n');
          data = [];
          if (event === '[DONE]') return;
          yield event;
        }
      } else if (line.startsWith('data:')) {
        data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
      }
    }
  }
  // A server that closes without the final blank line still meant its last event.
  buffer += decoder.decode();
  if (buffer.startsWith('data:')) data.push(buffer.slice(buffer.startsWith('data: ') ? 6 : 5));
  if (data.length > 0 && data.join('\n') !== '[DONE]') yield data.join('\n');
}
