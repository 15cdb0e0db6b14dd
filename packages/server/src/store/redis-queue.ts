import type { Redis } from "ioredis";
import type { QueuedQuestion } from "@tokencast/protocol";
import type { QuestionQueue } from "../core/ports.ts";
import { defineScripts } from "./redis-commands.ts";
import { storeCall } from "./redis-errors.ts";
import { roomKeys, votersKey } from "./redis-keys.ts";
import { byVotesThenAge } from "./queue-order.ts";
import { SUBMIT_QUESTION, TAKE_QUESTION, VOTE_QUESTION } from "./redis-queue-scripts.ts";

export interface RedisQueueOptions {
  prefix: string;
  /** Every key expires this long after the queue's last change. */
  ttlMs: number;
}

interface ScriptedRedis extends Redis {
  tcSubmitQuestion(queue: string, votes: string, ...args: Array<string | number>): Promise<number>;
  tcVoteQuestion(queue: string, votes: string, voters: string, ...args: Array<string | number>): Promise<number>;
  tcTakeQuestion(queue: string, votes: string, voters: string, id: string): Promise<[string, string] | null>;
}

type StoredQuestion = Omit<QueuedQuestion, "votes">;

/** Presentation question queues shared by every node. */
export class RedisQueue implements QuestionQueue {
  private readonly redis: ScriptedRedis;

  constructor(
    redis: Redis,
    private readonly options: RedisQueueOptions,
  ) {
    this.redis = defineScripts<ScriptedRedis>(redis, {
      tcSubmitQuestion: { numberOfKeys: 2, lua: SUBMIT_QUESTION },
      tcVoteQuestion: { numberOfKeys: 3, lua: VOTE_QUESTION },
      tcTakeQuestion: { numberOfKeys: 3, lua: TAKE_QUESTION },
    });
  }

  async submit(question: QueuedQuestion, maxQueued: number): Promise<boolean> {
    const keys = roomKeys(this.options.prefix, question.roomId);
    const { votes: _votes, ...stored } = question;
    const reply = await storeCall(() =>
      this.redis.tcSubmitQuestion(keys.queue, keys.votes, question.id, JSON.stringify(stored), maxQueued, this.options.ttlMs),
    );
    return reply === 1;
  }

  async vote(roomId: string, questionId: string, voterId: string): Promise<number | undefined> {
    const keys = roomKeys(this.options.prefix, roomId);
    const votes = await storeCall(() =>
      this.redis.tcVoteQuestion(keys.queue, keys.votes, votersKey(keys, questionId), questionId, voterId, this.options.ttlMs),
    );
    return votes < 0 ? undefined : votes;
  }

  async take(roomId: string, questionId: string): Promise<QueuedQuestion | undefined> {
    const keys = roomKeys(this.options.prefix, roomId);
    const taken = await storeCall(() => this.redis.tcTakeQuestion(keys.queue, keys.votes, votersKey(keys, questionId), questionId));
    return taken ? { ...(JSON.parse(taken[0]) as StoredQuestion), votes: Number(taken[1]) } : undefined;
  }

  async list(roomId: string, limit: number): Promise<{ questions: QueuedQuestion[]; count: number }> {
    const keys = roomKeys(this.options.prefix, roomId);
    // The queue is capped (MAX_QUEUED_QUESTIONS), so reading it whole is cheap.
    const [questions, votes] = await storeCall(() => Promise.all([this.redis.hgetall(keys.queue), this.redis.hgetall(keys.votes)]));
    const all = Object.entries(questions).map(([id, json]) => ({ ...(JSON.parse(json) as StoredQuestion), votes: Number(votes[id] ?? 0) }));
    return { questions: all.sort(byVotesThenAge).slice(0, limit), count: all.length };
  }
}
