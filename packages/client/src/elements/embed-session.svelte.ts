/**
 * One element's view of one room: its own RoomConnection (opened only when `start()` is called,
 * i.e. once the element is seen), mirrored into `$state` for the Svelte card, plus the element's
 * prompt, which is sent the first time the room is joined and never again. The prompt is sent as
 * the room's shared prompt (ask-once) unless the element is `fresh`: when the room already has a
 * finished answer to it, that answer is replayed at its original pace (at once with
 * `replay="instant"` or under `prefers-reduced-motion`); one still streaming is simply watched.
 */
import {
  isFinalStatus,
  normalisePrompt,
  type ErrorPayload,
  type Message,
  type RoomInfo,
  type SendResult,
} from "@tokencast/protocol";
import { RoomConnection, type ConnectionState } from "../lib/room-connection.ts";
import { AnswerReplays } from "../lib/answer-replays.ts";
import { toRequestError } from "@tokencast/sdk";
import { connectionOptions, type EmbedOptions } from "./embed-options.ts";

/** "idle" until the element has been seen; then the connection's state. */
export type EmbedPhase = "idle" | ConnectionState;

/** What became of the element's prompt, when it did not simply start an answer. */
export interface PromptNotice {
  kind: "busy" | "failed";
  text: string;
}

export interface SessionHooks {
  /** Returns the prompt the first time it is called for this element, then undefined. */
  takePrompt: () => string | undefined;
  onPhase: (phase: EmbedPhase) => void;
}

export class EmbedSession {
  phase = $state<EmbedPhase>("idle");
  room = $state.raw<RoomInfo | undefined>();
  messages = $state.raw<Message[]>([]);
  lastError = $state.raw<ErrorPayload | undefined>();
  notice = $state.raw<PromptNotice | undefined>();
  /** Answers being replayed: answer id → the text shown so far. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- $state.raw: replaced whole, never mutated
  replaying = $state.raw<ReadonlyMap<string, string>>(new Map());

  /** The room's answer to this element's prompt, replayed as soon as the snapshot showed it. */
  private promptAnswerId: string | undefined;
  private connection: RoomConnection | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly replays = new AnswerReplays(() => (this.replaying = this.replays.shown));

  constructor(
    readonly options: EmbedOptions,
    private readonly hooks: SessionHooks,
  ) {}

  /** Opens the connection (the first time) or reconnects one that gave up. */
  start(): void {
    if (!this.connection) this.connection = this.open();
    this.connection.connect();
    // Leaving "idle" must show even when the connection's state did not change ("connecting").
    this.sync(this.connection);
  }

  /** The reader asked: replays a finished answer of the room here, at its original pace. */
  replay(messageId: string): void {
    const answer = this.messages.find((m) => m.id === messageId);
    if (answer?.role === "assistant" && isFinalStatus(answer.status)) this.replays.start(answer);
  }

  /** "Show all": the whole text of an answer being replayed, now. */
  skipReplay(messageId: string): void {
    this.replays.skip(messageId);
  }

  close(): void {
    this.unsubscribe?.();
    this.replays.destroy();
    this.connection?.close();
    this.connection = undefined;
  }

  private open(): RoomConnection {
    const connection = new RoomConnection(connectionOptions(this.options));
    const stopSync = connection.subscribe(() => this.sync(connection));
    const stopReplays = connection.onReplay((messageId) => this.replayUnlessInstant(messageId));
    this.unsubscribe = () => {
      stopSync();
      stopReplays();
    };
    return connection;
  }

  private sync(connection: RoomConnection): void {
    this.room = connection.room;
    this.messages = connection.messages;
    this.lastError = connection.lastError;
    if (this.phase !== connection.state) {
      this.phase = connection.state;
      this.hooks.onPhase(connection.state);
    }
    if (connection.state === "live") this.sendPromptOnce(connection);
  }

  private sendPromptOnce(connection: RoomConnection): void {
    const text = this.hooks.takePrompt();
    if (text === undefined) return;
    // The snapshot may already hold the answer: replay it from its first paint, not after the ack.
    if (!this.options.fresh) this.promptAnswerId = answerTo(connection.messages, text)?.id;
    if (this.promptAnswerId) this.replayUnlessInstant(this.promptAnswerId);
    connection.send(text, { shared: !this.options.fresh }).then(
      (result) => this.onAsked(connection, result),
      (error: unknown) => this.onRefused(error),
    );
  }

  /** The room already had an answer to the prompt: a finished one replays; one streaming is watched live. */
  private onAsked(connection: RoomConnection, result: SendResult): void {
    this.messages = connection.messages;
    if (result.shared && result.replyId !== this.promptAnswerId) this.replayUnlessInstant(result.replyId);
  }

  /** A replay the element did not ask for (its prompt's answer, a presenter's): at once with `replay="instant"`. */
  private replayUnlessInstant(messageId: string): void {
    if (this.options.replay !== "instant") this.replay(messageId);
  }

  private onRefused(error: unknown): void {
    const failure = toRequestError(error);
    this.notice =
      failure.code === "busy"
        ? {
            kind: "busy",
            text: "The model is busy answering another question, so yours was not asked. That answer streams here.",
          }
        : { kind: "failed", text: `Your question could not be asked: ${failure.payload.message}` };
  }
}

/** The first finished answer to a question with the prompt's text, in the messages the snapshot holds. */
function answerTo(messages: readonly Message[], prompt: string): Message | undefined {
  const text = normalisePrompt(prompt);
  const question = messages.find((m) => m.role === "user" && normalisePrompt(m.text) === text);
  const answer = question && messages.find((m) => m.replyTo === question.id && m.role === "assistant");
  return answer && answer.status === "done" ? answer : undefined;
}
