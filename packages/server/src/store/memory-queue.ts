import { byVotesThenAge, type QueuedQuestion } from "@tokencast/protocol";
import type { AskerChange, ListedQuestions, QuestionQueue, TakenQuestion } from "../core/ports.ts";

interface Entry {
  question: QueuedQuestion;
  asker: string;
  voters: Set<string>;
}

/** Presentation question queues of a single node, in process memory. */
export class MemoryQueue implements QuestionQueue {
  private readonly rooms = new Map<string, Map<string, Entry>>();
  /** One version for every room of the process: it never goes back, even for a room forgotten and used again. */
  private version = 0;

  async submit(question: QueuedQuestion, maxQueued: number, asker: string): Promise<boolean> {
    let room = this.rooms.get(question.roomId);
    if (!room) {
      room = new Map();
      this.rooms.set(question.roomId, room);
    }
    if (room.size >= maxQueued) return false;
    room.set(question.id, { question: { ...question, rev: ++this.version }, asker, voters: new Set() });
    return true;
  }

  async vote(roomId: string, questionId: string, voterId: string): Promise<number | undefined> {
    const entry = this.entry(roomId, questionId);
    if (entry && !entry.voters.has(voterId)) {
      entry.voters.add(voterId);
      this.changeVotes(entry, +1);
    }
    return entry?.question.votes;
  }

  async unvote(roomId: string, questionId: string, voterId: string): Promise<number | undefined> {
    const entry = this.entry(roomId, questionId);
    if (entry?.voters.delete(voterId)) this.changeVotes(entry, -1);
    return entry?.question.votes;
  }

  async edit(roomId: string, questionId: string, asker: string, text: string): Promise<AskerChange> {
    const entry = this.entry(roomId, questionId);
    if (!entry) return "gone";
    if (entry.asker !== asker) return "not_yours";
    entry.question.text = text;
    entry.question.rev = ++this.version;
    return "done";
  }

  async withdraw(roomId: string, questionId: string, asker: string): Promise<AskerChange> {
    const entry = this.entry(roomId, questionId);
    if (!entry) return "gone";
    if (entry.asker !== asker) return "not_yours";
    await this.take(roomId, questionId);
    return "done";
  }

  async take(roomId: string, questionId: string): Promise<TakenQuestion | undefined> {
    const room = this.rooms.get(roomId);
    const entry = room?.get(questionId);
    if (!room || !entry) return undefined;
    room.delete(questionId);
    this.version++;
    if (room.size === 0) this.rooms.delete(roomId);
    return { question: { ...entry.question }, asker: entry.asker };
  }

  async list(roomId: string, limit: number): Promise<ListedQuestions> {
    const all = [...(this.rooms.get(roomId)?.values() ?? [])].map((entry) => ({ ...entry.question }));
    return { questions: all.sort(byVotesThenAge).slice(0, limit), count: all.length, version: this.version };
  }

  private entry(roomId: string, questionId: string): Entry | undefined {
    return this.rooms.get(roomId)?.get(questionId);
  }

  private changeVotes(entry: Entry, by: number): void {
    entry.question.votes += by;
    entry.question.rev = ++this.version;
  }
}
