/** One event of a `text/event-stream`. */
export interface SseEvent {
  event: string;
  data: string;
  id: string | undefined;
}

/** The event-stream format, fed in chunks of any size: events at blank lines, comments (`: connected`) as they come. */
export class SseParser {
  private buffer = "";
  private event = "";
  private data: string[] = [];
  private id: string | undefined;

  constructor(
    private readonly dispatch: (event: SseEvent) => void,
    private readonly comment: (text: string) => void,
  ) {}

  push(chunk: string): void {
    this.buffer += chunk;
    for (;;) {
      const at = this.buffer.search(/[\r\n]/);
      // a \r at the end may be the first half of \r\n
      if (at < 0 || (this.buffer[at] === "\r" && at === this.buffer.length - 1)) return;
      const width = this.buffer[at] === "\r" && this.buffer[at + 1] === "\n" ? 2 : 1;
      const line = this.buffer.slice(0, at);
      this.buffer = this.buffer.slice(at + width);
      this.line(line);
    }
  }

  private line(line: string): void {
    if (line === "") {
      if (this.data.length > 0) this.dispatch({ event: this.event || "message", data: this.data.join("\n"), id: this.id });
      this.event = "";
      this.data = [];
      this.id = undefined;
      return;
    }
    if (line.startsWith(":")) {
      this.comment(line.slice(1).trim());
      return;
    }
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") this.event = value;
    else if (field === "data") this.data.push(value);
    else if (field === "id" && !value.includes("\0")) this.id = value;
  }
}
