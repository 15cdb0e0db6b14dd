import { byVotesThenAge, type QueuedQuestion } from "@tokencast/protocol";
import type { ListedQuestions, QuestionQueue } from "../core/ports.ts";

interface Entry {
  question: QueuedQuestion;
  voters: Set<string>;
}

/** Presentation question queues of a single node, in process memory. */
export class MemoryQueue implements QuestionQueue {
  private readonly rooms = new Map<string, Map<string, Entry>>();
  /** One version for every room of the process: it never goes back, even for a room forgotten and used again. */
  private version = 0;

  async submit(question: QueuedQuestion, maxQueued: number): Promise<boolean> {
    let room = this.rooms.get(question.roomId);
    if (!room) {
      room = new Map();
      this.rooms.set(question.roomId, room);
    }
    if (room.size >= maxQueued) return false;
    room.set(question.id, { question: { ...question, rev: ++this.version }, voters: new Set() });
    return true;
  }

  async vote(roomId: string, questionId: string, voterId: string): Promise<number | undefined> {
    const entry = this.rooms.get(roomId)?.get(questionId);
    if (!entry) return undefined;
    if (!entry.voters.has(voterId)) {
      entry.voters.add(voterId);
      entry.question.votes += 1;
      entry.question.rev = ++this.version;
    }
    return entry.question.votes;
  }

  async take(roomId: string, questionId: string): Promise<QueuedQuestion | undefined> {
    const room = this.rooms.get(roomId);
    const entry = room?.get(questionId);
    if (!room || !entry) return undefined;
    room.delete(questionId);
    this.version++;
    if (room.size === 0) this.rooms.delete(roomId);
    return { ...entry.question };
  }

  async list(roomId: string, limit: number): Promise<ListedQuestions> {
    const all = [...(this.rooms.get(roomId)?.values() ?? [])].map((entry) => ({ ...entry.question }));
    return { questions: all.sort(byVotesThenAge).slice(0, limit), count: all.length, version: this.version };
  }
}
