/**
 * One element's view of one room: its own RoomConnection (opened only when `start()` is called,
 * i.e. once the element is seen), mirrored into `$state` for the Svelte card, plus the element's
 * prompt, which is sent the first time the room is joined and never again.
 */
import type { ErrorPayload, Message, RoomInfo } from "@tokencast/protocol";
import { RoomConnection, type ConnectionState } from "../lib/room-connection.ts";
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

  private connection: RoomConnection | undefined;
  private unsubscribe: (() => void) | undefined;

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

  close(): void {
    this.unsubscribe?.();
    this.connection?.close();
    this.connection = undefined;
  }

  private open(): RoomConnection {
    const connection = new RoomConnection(connectionOptions(this.options));
    this.unsubscribe = connection.subscribe(() => this.sync(connection));
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
    connection.send(text).catch((error: unknown) => {
      const failure = toRequestError(error);
      this.notice =
        failure.code === "busy"
          ? {
              kind: "busy",
              text: "The model is busy answering another question, so yours was not asked. That answer streams here.",
            }
          : { kind: "failed", text: `Your question could not be asked: ${failure.payload.message}` };
    });
  }
}
