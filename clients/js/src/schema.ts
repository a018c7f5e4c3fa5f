/**
 * What an application sends through Herald, for typing the clients: event names mapped to payload
 * types. Every part is optional; what is left out is typed loosely (`unknown` payloads, any name).
 *
 * ```ts
 * type App = {
 *   broadcast: { "screening:complete": { applicationId: string; score: number }; nudge: null };
 *   tables: { applications: { id: string; stage: string } };
 *   channels: { "run.stage": { stage: string; progress: number } };
 *   lanes: { chat_message: { questId: string; text: string } };
 * };
 * ```
 */
export interface RealtimeSchema {
  broadcast?: Record<string, unknown>;
  tables?: Record<string, object>;
  channels?: Record<string, unknown>;
  lanes?: Record<string, unknown>;
}

interface Loose {
  broadcast: Record<string, unknown>;
  tables: Record<string, Record<string, unknown>>;
  channels: Record<string, unknown>;
  lanes: Record<string, unknown>;
}

/** One part of a schema, or its loose form when the schema leaves it out. */
export type Part<S, K extends keyof Loose> = K extends keyof S ? NonNullable<S[K]> : Loose[K];

type Names<M> = Extract<keyof M, string>;
type Namespaces<M> = Names<M> extends infer N ? (N extends `${infer P}:${string}` ? P : never) : never;

/** An event name, `<namespace>:*` for every event of a namespace, or `*` for all. */
export type EventPattern<M> = Names<M> | `${Namespaces<M>}:*` | "*";

/** The payload type of the events a pattern matches. */
export type PayloadOf<M, E> = string extends Names<M>
  ? M[Names<M>]
  : E extends "*"
    ? M[Names<M>]
    : E extends `${infer P}:*`
      ? { [K in Names<M>]: K extends `${P}:${string}` ? M[K] : never }[Names<M>]
      : E extends Names<M>
        ? M[E]
        : never;

/** The event names a pattern matches. */
export type NamesOf<M, E> = string extends Names<M>
  ? string
  : E extends "*"
    ? Names<M>
    : E extends `${infer P}:*`
      ? Extract<Names<M>, `${P}:${string}`>
      : Extract<E, Names<M>>;

/** Does `name` fall under `pattern` (an exact name, `ns:*` or `*`)? */
export function matches(pattern: string, name: string): boolean {
  if (pattern === "*" || pattern === name) return true;
  return pattern.endsWith(":*") && name.startsWith(pattern.slice(0, -1)) && name.indexOf(":") === pattern.length - 2;
}
