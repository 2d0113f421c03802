/**
 * Compile-time ties between schema.ts and the hand-written message interfaces in
 * messages.ts (kept by hand for their doc comments): each interface must have exactly
 * the fields, optionality and types its table entry declares, and the kind / event type
 * constants must be the table's numbers. `npm run typecheck` fails on any drift.
 * Nothing here exists at run time.
 */
import type {
  ChatEvent,
  ChatMsg,
  ClientKind,
  EventType,
  HelloMsg,
  HitEvent,
  InputMsg,
  InputTimingMsg,
  KillEvent,
  MatchStateMsg,
  RoundStateMsg,
  NoticeEvent,
  PickupEvent,
  PickupReadyEvent,
  PingMsg,
  PlayerJoinedMsg,
  PlayerLeftMsg,
  PongMsg,
  RespawnEvent,
  RosterMsg,
  ShotEvent,
  SnapshotMsg,
  EventsMsg,
  ViewportMsg,
  WelcomeMsg,
} from './messages.ts';
import type { ClientSpecNamed, EventSpecNamed, FieldsOf, ServerSpecNamed } from './schema.ts';

/** true only when A and B are the same type (optional-ness and readonly included). */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Flat<T> = { [K in keyof T]: T[K] };
type Check<T extends true> = T;
/** Both true (an intersection of true and false would be never, which passes Check). */
type And<A extends boolean, B extends boolean> = [A, B] extends [true, true] ? true : false;

type ClientTie<M extends { kind: number }, N extends string> = And<
  Same<Flat<Omit<M, 'kind'>>, Flat<FieldsOf<ClientSpecNamed<N>>>>,
  Same<M['kind'], ClientSpecNamed<N>['kind']>
>;
type ServerTie<M extends { kind: number }, N extends string> = And<
  Same<Flat<Omit<M, 'kind'>>, Flat<FieldsOf<ServerSpecNamed<N>>>>,
  Same<M['kind'], ServerSpecNamed<N>['kind']>
>;
/** Snapshot and Events have hand-written codecs and nested values: names and kind only. */
type ServerNames<M extends { kind: number }, N extends string> = And<
  Same<Exclude<keyof M, 'kind'>, ServerSpecNamed<N>['fields'][number]['name']>,
  Same<M['kind'], ServerSpecNamed<N>['kind']>
>;
type EventTie<E extends { type: number }, N extends string> = And<
  Same<Flat<Omit<E, 'type'>>, Flat<FieldsOf<EventSpecNamed<N>>>>,
  Same<E['type'], EventSpecNamed<N>['type']>
>;

export type SchemaTies = [
  Check<ClientTie<HelloMsg, 'Hello'>>,
  Check<ClientTie<InputMsg, 'Input'>>,
  Check<ClientTie<PingMsg, 'Ping'>>,
  Check<ClientTie<ViewportMsg, 'Viewport'>>,
  Check<ClientTie<ChatMsg, 'Chat'>>,
  Check<ServerTie<WelcomeMsg, 'Welcome'>>,
  Check<ServerTie<PongMsg, 'Pong'>>,
  Check<ServerTie<RosterMsg, 'Roster'>>,
  Check<ServerTie<PlayerJoinedMsg, 'PlayerJoined'>>,
  Check<ServerTie<PlayerLeftMsg, 'PlayerLeft'>>,
  Check<ServerTie<MatchStateMsg, 'MatchState'>>,
  Check<ServerTie<InputTimingMsg, 'InputTiming'>>,
  Check<ServerTie<RoundStateMsg, 'RoundState'>>,
  Check<ServerNames<SnapshotMsg, 'Snapshot'>>,
  Check<ServerNames<EventsMsg, 'Events'>>,
  Check<EventTie<ShotEvent, 'Shot'>>,
  Check<EventTie<HitEvent, 'Hit'>>,
  Check<EventTie<KillEvent, 'Kill'>>,
  Check<EventTie<RespawnEvent, 'Respawn'>>,
  Check<EventTie<PickupEvent, 'Pickup'>>,
  Check<EventTie<PickupReadyEvent, 'PickupReady'>>,
  Check<EventTie<ChatEvent, 'Chat'>>,
  Check<EventTie<NoticeEvent, 'Notice'>>,
  Check<Same<(typeof ClientKind)[keyof typeof ClientKind], ClientSpecNamed<string>['kind']>>,
  Check<Same<(typeof EventType)[keyof typeof EventType], EventSpecNamed<string>['type']>>,
];
