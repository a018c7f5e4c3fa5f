import { type BroadcastClient, type BroadcastOptions, createBroadcast } from "./broadcast.js";
import { type ChannelClient, type ChannelOptions, createChannel } from "./channel.js";
import { type LaneClient, type LaneOptions, createLane } from "./lane.js";
import { createRoom } from "./room.js";
import type { RealtimeSchema } from "./schema.js";

export { createBroadcast, createChannel, createLane, createRoom };
export { HeraldError } from "./errors.js";
export type { BackoffOptions } from "./backoff.js";
export type {
  BroadcastClient,
  BroadcastEvents,
  BroadcastMessage,
  BroadcastOptions,
  Change,
  ChangeEventType,
  ChangeOf,
  OpenInfo,
  ResetInfo,
} from "./broadcast.js";
export type { ChannelClient, ChannelEvents, ChannelMessage, ChannelMode, ChannelOptions, ChannelReset } from "./channel.js";
export type { HeadersSource, TicketSource, TokenSource } from "./credentials.js";
export type { Unsubscribe } from "./emitter.js";
export type { Envelope, LaneClient, LaneEvents, LaneFilter, LaneOptions, LaneSubscription } from "./lane.js";
export type { RoomOptions } from "./room.js";
export type { EventPattern, PayloadOf, RealtimeSchema } from "./schema.js";
export type { ConnectionOptions, ConnectionState, SocketLike, WebSocketConstructor } from "./socket.js";

/** The factories with an application's event types applied. */
export interface Realtime<S extends RealtimeSchema> {
  createBroadcast(options: BroadcastOptions): BroadcastClient<S>;
  createChannel(options: ChannelOptions): ChannelClient<S>;
  createLane(options: LaneOptions): LaneClient<S>;
  createRoom: typeof createRoom;
}

/**
 * Binds the clients to an application's event types once:
 * `const realtime = defineRealtime<App>(); realtime.createBroadcast({...}).on("broadcast", "screening:*", (p) => ...)`.
 */
export function defineRealtime<S extends RealtimeSchema>(): Realtime<S> {
  return {
    createBroadcast: (options) => createBroadcast<S>(options),
    createChannel: (options) => createChannel<S>(options),
    createLane: (options) => createLane<S>(options),
    createRoom,
  };
}
