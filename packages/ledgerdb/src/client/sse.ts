// A server-sent events parser over a byte stream (WHATWG HTML §9.2.6), enough for the
// ledger server's streams: `id`, `event`, `data` (multi-line) and comments.

/** One dispatched event. */
export interface SseMessage {
  /** The `id` field of this event, if it had one. */
  id: string | undefined;
  /** The `event` field, `message` by default. */
  event: string;
  data: string;
}

/** Parses a text/event-stream body into messages; comments (heartbeats) are skipped. */
export async function* readEvents(body: AsyncIterable<Uint8Array>): AsyncIterable<SseMessage> {
  const decoder = new TextDecoder();
  let buffer = '';
  let id: string | undefined;
  let event = '';
  let data: string[] = [];
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let newline = buffer.search(/\r\n|\r|\n/);
    while (newline >= 0) {
      const line = buffer.slice(0, newline);
      const width = buffer.startsWith('\r\n', newline) ? 2 : 1;
      // A lone \r at the end of the buffer may be the first half of \r\n.
      if (buffer[newline] === '\r' && newline + 1 === buffer.length) break;
      buffer = buffer.slice(newline + width);
      if (line === '') {
        if (data.length > 0) yield { id, event: event || 'message', data: data.join('\n') };
        id = undefined;
        event = '';
        data = [];
      } else if (!line.startsWith(':')) {
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? '' : line.slice(colon + 1);
        if (value.startsWith(' ')) value = value.slice(1);
        if (field === 'data') data.push(value);
        else if (field === 'event') event = value;
        else if (field === 'id' && !value.includes('\u0000')) id = value;
      }
      newline = buffer.search(/\r\n|\r|\n/);
    }
  }
}
