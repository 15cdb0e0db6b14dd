import type { QueuedQuestion } from "@tokencast/protocol";
import type { QuestionQueue } from "../core/ports.ts";
import { byVotesThenAge } from "./queue-order.ts";

interface Entry {
  question: QueuedQuestion;
  voters: Set<string>;
}

/** Presentation question queues of a single node, in process memory. */
export class MemoryQueue implements QuestionQueue {
  private readonly rooms = new Map<string, Map<string, Entry>>();

  async submit(question: QueuedQuestion, maxQueued: number): Promise<boolean> {
    let room = this.rooms.get(question.roomId);
    if (!room) {
      room = new Map();
      this.rooms.set(question.roomId, room);
    }
    if (room.size >= maxQueued) return false;
    room.set(question.id, { question: { ...question }, voters: new Set() });
    return true;
  }

  async vote(roomId: string, questionId: string, voterId: string): Promise<number | undefined> {
    const entry = this.rooms.get(roomId)?.get(questionId);
    if (!entry) return undefined;
    if (!entry.voters.has(voterId)) {
      entry.voters.add(voterId);
      entry.question.votes += 1;
    }
    return entry.question.votes;
  }

  async take(roomId: string, questionId: string): Promise<QueuedQuestion | undefined> {
    const room = this.rooms.get(roomId);
    const entry = room?.get(questionId);
    if (!room || !entry) return undefined;
    room.delete(questionId);
    if (room.size === 0) this.rooms.delete(roomId);
    return { ...entry.question };
  }

  async list(roomId: string, limit: number): Promise<{ questions: QueuedQuestion[]; count: number }> {
    const all = [...(this.rooms.get(roomId)?.values() ?? [])].map((entry) => ({ ...entry.question }));
    return { questions: all.sort(byVotesThenAge).slice(0, limit), count: all.length };
  }
}
