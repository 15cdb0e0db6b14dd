import type { Redis } from "ioredis";
import type { Delta, Message } from "@tokencast/protocol";
import { newestWithin, type HistoryPage, type HistoryRequest } from "../core/history-page.ts";
import {
  MAX_SHARED_PROMPTS,
  type AppendResult,
  type EndPatch,
  type PromptClaim,
  type RoomStore,
} from "../core/ports.ts";
import { storeCall } from "./redis-errors.ts";
import { defineScripts } from "./redis-commands.ts";
import { messageKeys, roomKeys, type RoomKeys } from "./redis-keys.ts";
import { PAGE_IDS } from "./redis-page-script.ts";
import { CLAIM_PROMPT, RELEASE_PROMPT } from "./redis-prompt-scripts.ts";
import { ADD_MESSAGE, APPEND_DELTA, CONTINUE_MESSAGE, FINISH_MESSAGE, SET_QUEUED } from "./redis-scripts.ts";

export interface RedisStoreOptions {
  /** Prefix of every key, e.g. "tc:" (tests use one per test). */
  prefix: string;
  historyLimit: number;
  /** Every key expires this long after the room's last write. */
  ttlMs: number;
}

/** A script that rewrites a message and its record (KEYS: messages, seqs, text, record, epoch). */
type MessageUpdateScript = (
  messages: string,
  seqs: string,
  text: string,
  record: string,
  epoch: string,
  ...args: Array<string | number>
) => Promise<[string, string, string] | null>;

interface ScriptedRedis extends Redis {
  // The last two keys of each: the room's record and invitation epoch, renewed with the history.
  tcAddMessage(
    order: string,
    messages: string,
    seqs: string,
    record: string,
    epoch: string,
    ...args: Array<string | number>
  ): Promise<number>;
  tcAppendDelta(
    seqs: string,
    text: string,
    log: string,
    messages: string,
    record: string,
    epoch: string,
    ...args: Array<string | number>
  ): Promise<number>;
  tcFinishMessage: MessageUpdateScript;
  tcSetQueued: MessageUpdateScript;
  tcContinueMessage: MessageUpdateScript;
  tcClaimPrompt(prompts: string, ...args: Array<string | number>): Promise<string>;
  tcReleasePrompt(prompts: string, ...args: Array<string | number>): Promise<number>;
  tcPageIds(order: string, messages: string, ...args: Array<string | number>): Promise<-1 | [number, string[]]>;
}

const APPEND_RESULTS: Record<number, AppendResult> = { 0: "refused", 1: "appended", 2: "duplicate" };

/** Stored per message: everything but the text and seq, which live in their own keys. */
type StoredMessage = Omit<Message, "text" | "seq">;

/** RoomStore shared by every node: history, per-answer delta logs and texts in Redis. */
export class RedisStore implements RoomStore {
  private readonly redis: ScriptedRedis;

  constructor(
    redis: Redis,
    private readonly options: RedisStoreOptions,
  ) {
    this.redis = defineScripts<ScriptedRedis>(redis, {
      tcAddMessage: { numberOfKeys: 5, lua: ADD_MESSAGE },
      tcAppendDelta: { numberOfKeys: 6, lua: APPEND_DELTA },
      tcFinishMessage: { numberOfKeys: 5, lua: FINISH_MESSAGE },
      tcSetQueued: { numberOfKeys: 5, lua: SET_QUEUED },
      tcContinueMessage: { numberOfKeys: 5, lua: CONTINUE_MESSAGE },
      tcPageIds: { numberOfKeys: 2, lua: PAGE_IDS },
      tcClaimPrompt: { numberOfKeys: 1, lua: CLAIM_PROMPT },
      tcReleasePrompt: { numberOfKeys: 1, lua: RELEASE_PROMPT },
    });
  }

  async addMessage(message: Message): Promise<void> {
    const keys = this.keys(message.roomId);
    const { text, seq: _seq, ...stored } = message;
    const { historyLimit, ttlMs } = this.options;
    // A user message has its whole text from the start: its text key is written with it (seq 0).
    await storeCall(async () => {
      await this.redis.tcAddMessage(
        keys.order,
        keys.messages,
        keys.seqs,
        keys.record,
        keys.invitationEpoch,
        message.id,
        JSON.stringify(stored),
        ttlMs,
        historyLimit,
        keys.base,
      );
      if (text !== "") await this.redis.set(messageKeys(keys, message.id).text, text, "PX", ttlMs);
    });
  }

  async listMessages(roomId: string): Promise<Message[]> {
    const keys = this.keys(roomId);
    return storeCall(async () => {
      const ids = await this.redis.lrange(keys.order, 0, -1);
      return ids.length === 0 ? [] : this.load(keys, ids);
    });
  }

  /** Picks the page's ids in Redis (estimated sizes), loads only those, then cuts to the exact budget. */
  async pageMessages(roomId: string, request: HistoryRequest): Promise<HistoryPage | undefined> {
    const keys = this.keys(roomId);
    const { before, maxMessages, maxBytes } = request;
    return storeCall(async () => {
      const picked = await this.redis.tcPageIds(
        keys.order,
        keys.messages,
        before ?? "",
        maxMessages,
        maxBytes,
        keys.base,
      );
      if (picked === -1) return undefined;
      const [older, ids] = picked;
      const page = newestWithin(ids.length === 0 ? [] : await this.load(keys, ids), request);
      return { messages: page.messages, more: older === 1 || page.more };
    });
  }

  async getMessage(roomId: string, messageId: string): Promise<Message | undefined> {
    const [message] = await storeCall(() => this.load(this.keys(roomId), [messageId]));
    return message;
  }

  async appendDelta(roomId: string, messageId: string, delta: Delta, owner?: number): Promise<AppendResult> {
    const keys = this.keys(roomId);
    const { text, log } = messageKeys(keys, messageId);
    const result = await storeCall(() =>
      this.redis.tcAppendDelta(
        keys.seqs,
        text,
        log,
        keys.messages,
        keys.record,
        keys.invitationEpoch,
        messageId,
        delta.seq,
        delta.text,
        this.options.ttlMs,
        owner ?? "",
      ),
    );
    return APPEND_RESULTS[result] ?? "refused";
  }

  async readDeltas(roomId: string, messageId: string, afterSeq: number): Promise<Delta[]> {
    const { log } = messageKeys(this.keys(roomId), messageId);
    const texts = await storeCall(() => this.redis.lrange(log, afterSeq, -1));
    return texts.map((text, i) => ({ seq: afterSeq + i + 1, text }));
  }

  finishMessage(roomId: string, messageId: string, patch: EndPatch, owner?: number): Promise<Message | undefined> {
    return this.updateMessage(this.redis.tcFinishMessage, roomId, messageId, JSON.stringify(patch), owner ?? "");
  }

  continueMessage(roomId: string, messageId: string, by: string, owner: number): Promise<Message | undefined> {
    return this.updateMessage(this.redis.tcContinueMessage, roomId, messageId, by, owner);
  }

  setQueued(roomId: string, messageId: string, place: number | undefined): Promise<Message | undefined> {
    return this.updateMessage(this.redis.tcSetQueued, roomId, messageId, place ?? 0);
  }

  /**
   * Runs a script that rewrites one message (its KEYS and the ARGV id, `ttlMs` in the middle):
   * `argument` before the TTL and `after` behind it; the message as rewritten, or undefined.
   */
  private async updateMessage(
    script: MessageUpdateScript,
    roomId: string,
    messageId: string,
    argument: string | number,
    ...after: Array<string | number>
  ): Promise<Message | undefined> {
    const keys = this.keys(roomId);
    const { messages, seqs, record, invitationEpoch } = keys;
    const text = messageKeys(keys, messageId).text;
    const ttl = this.options.ttlMs;
    const updated = await storeCall(() =>
      script.call(this.redis, messages, seqs, text, record, invitationEpoch, messageId, argument, ttl, ...after),
    );
    return updated ? toMessage(updated) : undefined;
  }

  async claimPrompt(roomId: string, key: string, claim: PromptClaim, replacing?: PromptClaim): Promise<PromptClaim> {
    const { prompts } = this.keys(roomId);
    const args = [key, JSON.stringify(claim), replacing?.messageId ?? "", this.options.ttlMs, MAX_SHARED_PROMPTS];
    const holder = await storeCall(() => this.redis.tcClaimPrompt(prompts, ...args));
    return JSON.parse(holder) as PromptClaim;
  }

  async releasePrompt(roomId: string, key: string, claim: PromptClaim): Promise<void> {
    const { prompts } = this.keys(roomId);
    await storeCall(() => this.redis.tcReleasePrompt(prompts, key, claim.messageId));
  }

  private keys(roomId: string): RoomKeys {
    return roomKeys(this.options.prefix, roomId);
  }

  /** One round trip: every message's JSON, seq and text. */
  private async load(keys: RoomKeys, ids: string[]): Promise<Message[]> {
    // MULTI, not a plain pipeline: an append landing between reading the seqs and the texts gave a
    // join snapshot whose text was one delta ahead of its seq, and the client applied that delta
    // twice (seen in `pnpm bench soak`).
    const pipeline = this.redis.multi();
    pipeline.hmget(keys.messages, ...ids);
    pipeline.hmget(keys.seqs, ...ids);
    for (const id of ids) pipeline.get(messageKeys(keys, id).text);
    const results = (await pipeline.exec()) ?? [];
    const [jsons, seqs, ...texts] = results.map(([error, value]) => {
      if (error) throw error;
      return value;
    }) as [Array<string | null>, Array<string | null>, ...Array<string | null>];
    return ids.flatMap((_, i) => {
      const json = jsons[i];
      if (!json) return [];
      const stored = JSON.parse(json) as StoredMessage;
      return [{ ...stored, text: texts[i] ?? "", seq: Number(seqs[i] ?? 0) }];
    });
  }
}

function toMessage([json, seq, text]: [string, string, string]): Message {
  return { ...(JSON.parse(json) as StoredMessage), text, seq: Number(seq) };
}
