import type { Redis } from "ioredis";
import { byVotesThenAge, type QueuedQuestion } from "@tokencast/protocol";
import { AppError } from "../core/errors.ts";
import type { AskerChange, ListedQuestions, QuestionQueue, TakenQuestion } from "../core/ports.ts";
import { defineScripts } from "./redis-commands.ts";
import { storeCall } from "./redis-errors.ts";
import { roomKeys, votersKey } from "./redis-keys.ts";
import {
  EDIT_QUESTION,
  SUBMIT_QUESTION,
  TAKE_QUESTION,
  UNVOTE_QUESTION,
  VOTE_QUESTION,
  WITHDRAW_QUESTION,
} from "./redis-queue-scripts.ts";

export interface RedisQueueOptions {
  prefix: string;
  /** Every key expires this long after the queue's last change. */
  ttlMs: number;
}

/** KEYS: queue, votes, the question's voters, revs, version. ARGV: questionId, voterId, ttlMs. Votes after, or -1. */
type VoteScript = (
  queue: string,
  votes: string,
  voters: string,
  revs: string,
  version: string,
  ...args: Array<string | number>
) => Promise<number>;

interface ScriptedRedis extends Redis {
  tcSubmitQuestion(
    queue: string,
    votes: string,
    revs: string,
    version: string,
    ...args: Array<string | number>
  ): Promise<number>;
  tcVoteQuestion: VoteScript;
  tcUnvoteQuestion: VoteScript;
  tcWithdrawQuestion(
    queue: string,
    votes: string,
    voters: string,
    revs: string,
    version: string,
    ...args: Array<string | number>
  ): Promise<number>;
  tcEditQuestion(queue: string, revs: string, version: string, ...args: Array<string | number>): Promise<number>;
  tcTakeQuestion(
    queue: string,
    votes: string,
    voters: string,
    revs: string,
    version: string,
    id: string,
    ttlMs: number,
  ): Promise<[string, string] | null>;
}

/** A question as the queue hash holds it: without votes and rev (kept apart), with its asker (never listed). */
type StoredQuestion = Omit<QueuedQuestion, "votes" | "rev"> & { asker: string };

const ASKER_CHANGES: Record<number, AskerChange> = { 1: "done", 0: "gone", [-1]: "not_yours" };

function listed({ asker: _asker, ...question }: StoredQuestion, votes: number, rev: number): QueuedQuestion {
  return { ...question, votes, rev };
}

/** Presentation question queues shared by every node. */
export class RedisQueue implements QuestionQueue {
  private readonly redis: ScriptedRedis;

  constructor(
    redis: Redis,
    private readonly options: RedisQueueOptions,
  ) {
    this.redis = defineScripts<ScriptedRedis>(redis, {
      tcSubmitQuestion: { numberOfKeys: 4, lua: SUBMIT_QUESTION },
      tcVoteQuestion: { numberOfKeys: 5, lua: VOTE_QUESTION },
      tcTakeQuestion: { numberOfKeys: 5, lua: TAKE_QUESTION },
      tcUnvoteQuestion: { numberOfKeys: 5, lua: UNVOTE_QUESTION },
      tcWithdrawQuestion: { numberOfKeys: 5, lua: WITHDRAW_QUESTION },
      tcEditQuestion: { numberOfKeys: 3, lua: EDIT_QUESTION },
    });
  }

  async submit(question: QueuedQuestion, maxQueued: number, asker: string): Promise<boolean> {
    const keys = roomKeys(this.options.prefix, question.roomId);
    const { votes: _votes, rev: _rev, ...rest } = question;
    const stored: StoredQuestion = { ...rest, asker };
    const reply = await storeCall(() =>
      this.redis.tcSubmitQuestion(
        keys.queue,
        keys.votes,
        keys.revs,
        keys.queueVersion,
        question.id,
        JSON.stringify(stored),
        maxQueued,
        this.options.ttlMs,
      ),
    );
    return reply === 1;
  }

  vote(roomId: string, questionId: string, voterId: string): Promise<number | undefined> {
    return this.countVote(this.redis.tcVoteQuestion, roomId, questionId, voterId);
  }

  unvote(roomId: string, questionId: string, voterId: string): Promise<number | undefined> {
    return this.countVote(this.redis.tcUnvoteQuestion, roomId, questionId, voterId);
  }

  /** A vote or its withdrawal: the question's votes after it, or undefined when it is not queued. */
  private async countVote(
    script: VoteScript,
    roomId: string,
    questionId: string,
    voterId: string,
  ): Promise<number | undefined> {
    const keys = roomKeys(this.options.prefix, roomId);
    const { queue, votes, revs, queueVersion } = keys;
    const voters = votersKey(keys, questionId);
    const counted = await storeCall(() =>
      script.call(this.redis, queue, votes, voters, revs, queueVersion, questionId, voterId, this.options.ttlMs),
    );
    return counted < 0 ? undefined : counted;
  }

  async edit(roomId: string, questionId: string, asker: string, text: string): Promise<AskerChange> {
    const keys = roomKeys(this.options.prefix, roomId);
    const reply = await storeCall(() =>
      this.redis.tcEditQuestion(keys.queue, keys.revs, keys.queueVersion, questionId, asker, text, this.options.ttlMs),
    );
    return ASKER_CHANGES[reply] ?? "gone";
  }

  async withdraw(roomId: string, questionId: string, asker: string): Promise<AskerChange> {
    const keys = roomKeys(this.options.prefix, roomId);
    const reply = await storeCall(() =>
      this.redis.tcWithdrawQuestion(
        keys.queue,
        keys.votes,
        votersKey(keys, questionId),
        keys.revs,
        keys.queueVersion,
        questionId,
        asker,
        this.options.ttlMs,
      ),
    );
    return ASKER_CHANGES[reply] ?? "gone";
  }

  async take(roomId: string, questionId: string): Promise<TakenQuestion | undefined> {
    const keys = roomKeys(this.options.prefix, roomId);
    const taken = await storeCall(() =>
      this.redis.tcTakeQuestion(
        keys.queue,
        keys.votes,
        votersKey(keys, questionId),
        keys.revs,
        keys.queueVersion,
        questionId,
        this.options.ttlMs,
      ),
    );
    if (!taken) return undefined;
    const stored = JSON.parse(taken[0]) as StoredQuestion;
    return { question: listed(stored, Number(taken[1]), 0), asker: stored.asker };
  }

  async list(roomId: string, limit: number): Promise<ListedQuestions> {
    const keys = roomKeys(this.options.prefix, roomId);
    // The queue is capped (MAX_QUEUED_QUESTIONS), so reading it whole is cheap; in one
    // transaction, so that each question's votes and rev, and the version, are of one moment.
    const replies = await storeCall(() =>
      this.redis.multi().hgetall(keys.queue).hgetall(keys.votes).hgetall(keys.revs).get(keys.queueVersion).exec(),
    );
    const [questions, votes, revs, version] = (replies ?? []).map(([error, value]) => {
      if (error)
        throw new AppError("store_unavailable", "The room store (Redis) did not answer the queue read.", {
          cause: error,
        });
      return value;
    }) as [Record<string, string>, Record<string, string>, Record<string, string>, string | null];
    const all = Object.entries(questions).map(([id, json]) =>
      listed(JSON.parse(json) as StoredQuestion, Number(votes[id] ?? 0), Number(revs[id] ?? 0)),
    );
    return { questions: all.sort(byVotesThenAge).slice(0, limit), count: all.length, version: Number(version ?? 0) };
  }
}
