// Compile-time checks of defineRealtime's typing: `npm test` runs `tsc --noEmit` over this file before
// vitest, and vitest does not run it (the clients here are declared, never created).
import { expectTypeOf } from "vitest";
import { type BroadcastClient, type ChannelClient, type Envelope, type LaneClient, defineRealtime } from "../src/index.js";

type App = {
  broadcast: { "screening:started": { id: string }; "screening:complete": { id: string; score: number }; nudge: null };
  tables: { applications: { id: string; stage: string }; notes: { text: string } };
  channels: { "run.stage": { stage: string } };
  lanes: { chat_message: { questId: string; text: string } };
};

declare const broadcast: BroadcastClient<App>;
declare const channel: ChannelClient<App>;
declare const lane: LaneClient<App>;

export function payloadsByEventNameAndNamespace(): void {
  {
    expectTypeOf(defineRealtime<App>().createBroadcast).returns.toEqualTypeOf<BroadcastClient<App>>();
    broadcast.on("broadcast", "screening:complete", (payload, message) => {
      expectTypeOf(payload).toEqualTypeOf<{ id: string; score: number }>();
      expectTypeOf(message.event).toEqualTypeOf<"screening:complete">();
    });
    broadcast.on("broadcast", "screening:*", (payload, message) => {
      expectTypeOf(payload).toEqualTypeOf<{ id: string } | { id: string; score: number }>();
      expectTypeOf(message.event).toEqualTypeOf<"screening:started" | "screening:complete">();
    });
    broadcast.on("broadcast", "nudge", (payload) => expectTypeOf(payload).toBeNull());
    // @ts-expect-error: not an event of the schema
    broadcast.on("broadcast", "billing:paid", () => {});
    // @ts-expect-error: not a namespace of the schema
    broadcast.on("broadcast", "billing:*", () => {});
  }
}

export function changesByTableAndEventType(): void {
  {
    broadcast.on("postgres_changes", { table: "applications", eventType: "UPDATE" }, (change) => {
      expectTypeOf(change.new).toEqualTypeOf<{ id: string; stage: string }>();
      expectTypeOf(change.old).toEqualTypeOf<{ id: string; stage: string } | null>();
    });
    broadcast.on("postgres_changes", { table: "notes", eventType: "DELETE" }, (change) => {
      expectTypeOf(change.new).toBeNull();
      expectTypeOf(change.old).toEqualTypeOf<{ text: string }>();
    });
    broadcast.on("postgres_changes", {}, (change) => {
      expectTypeOf(change.table).toEqualTypeOf<"applications" | "notes">();
    });
    // @ts-expect-error: not a table of the schema
    broadcast.on("postgres_changes", { table: "secrets" }, () => {});
  }
}

export function channelEventsAndLaneEnvelopes(): void {
  {
    channel.on("event", "run.stage", (data, message) => {
      expectTypeOf(data).toEqualTypeOf<{ stage: string }>();
      expectTypeOf(message.id).toBeNumber();
    });
    lane.handle("chat_message", (envelope) => {
      expectTypeOf(envelope).toEqualTypeOf<Envelope<"chat_message", { questId: string; text: string }>>();
      return { seen: true };
    });
    // @ts-expect-error: not a lane type of the schema
    void lane.subscribe(["presence"]);
  }
}

export function whatTheSchemaOmitsIsLoose(): void {
  {
    const loose = defineRealtime<{}>().createBroadcast;
    type Loose = ReturnType<typeof loose>;
    expectTypeOf<Parameters<Loose["close"]>>().toEqualTypeOf<[]>();
    const client = {} as Loose;
    void (() => client.on("broadcast", "anything:at-all", (payload) => expectTypeOf(payload).toBeUnknown()));
  }
}
