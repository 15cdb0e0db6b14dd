import type { Message } from "@tokencast/protocol";
import type { AnswerSource, ChatTurn, RoomStore } from "./ports.ts";
import type { RoomCatalog } from "./room-catalog.ts";
import { turnsOf, type BuildTurns } from "./turns.ts";

export interface ContinuationDeps {
  store: RoomStore;
  catalog: RoomCatalog;
  source: AnswerSource;
  buildTurns: BuildTurns;
  /** This node, as recorded in a continued answer's `continuedBy`. */
  nodeId: string;
  /** How many times one answer may be continued (LLM_CONTINUE_MAX); 0: never. */
  maxContinuations: number;
}

/** What a node needs to ask the LLM to go on with an answer another node started. */
export interface ContinuationRequest {
  turns: ChatTurn[];
  /** The room's model, when it names one. */
  model: string | undefined;
}

/**
 * When the node running an answer dies, another node goes on with it from its logged text
 * instead of ending it: if the LLM server can continue a partial answer, and the answer has not
 * been continued too often already (a question that kills every node it runs on stops somewhere).
 */
export class Continuations {
  constructor(private readonly deps: ContinuationDeps) {}

  get nodeId(): string {
    return this.deps.nodeId;
  }

  mayContinue(answer: Message): boolean {
    const times = answer.continuedBy?.length ?? 0;
    return this.deps.source.continues && answer.status === "streaming" && times < this.deps.maxContinuations;
  }

  /** The conversation up to the answer's question, with the room's prompt and model as they are now. */
  async request(answer: Message): Promise<ContinuationRequest> {
    const view = await this.deps.catalog.view(answer.roomId);
    const history = await this.deps.store.listMessages(answer.roomId);
    const asked = history.findIndex((message) => message.id === answer.replyTo);
    const conversation = history.slice(0, asked + 1).filter((message) => message.status !== "streaming");
    return {
      turns: turnsOf(conversation, view.settings.systemPrompt, this.deps.buildTurns),
      model: view.settings.model,
    };
  }
}
