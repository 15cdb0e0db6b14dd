/**
 * Patches (`queue:changed`) applied to a join's snapshot give every member the server's visible
 * list, whatever the ops: a property test over random submits, votes, takes and put-backs, with
 * one node publishing in order, and with two nodes whose patches arrive in any order.
 */
import { describe, expect, it } from "vitest";
import {
  ListedQueue,
  MAX_LISTED_QUESTIONS,
  snapshotChange,
  type QueueChangedEvent,
  type QueuedQuestion,
} from "@tokencast/protocol";
import { MemoryQueue } from "../store/memory-queue.ts";
import { patchOf, QueueChanges } from "./queue-changes.ts";

const ROOM = "r";
const MAX_QUEUED = 120;

/** Deterministic random numbers (mulberry32), so a failing seed can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Member {
  queue: ListedQueue;
  /** Patches published since it joined the room's channel, not delivered yet. */
  inbox: QueueChangedEvent[];
  snapshot?: QueueChangedEvent;
}

/** A queue shared by `nodes` nodes, each batching its own changes like Questions does. */
class Simulation {
  readonly store = new MemoryQueue();
  readonly nodes: QueueChanges[];
  readonly members: Member[] = [];
  private readonly ids: string[] = [];
  private readonly taken: QueuedQuestion[] = [];
  private createdAt = 0;

  constructor(
    nodeCount: number,
    private readonly rand: () => number,
  ) {
    this.nodes = Array.from({ length: nodeCount }, () => new QueueChanges());
  }

  pick<T>(items: readonly T[]): T | undefined {
    return items[Math.floor(this.rand() * items.length)];
  }

  async step(): Promise<void> {
    const node = this.pick(this.nodes)!;
    const roll = this.rand();
    if (roll < 0.25) await this.submit(node);
    else if (roll < 0.8) await this.vote(node);
    else if (roll < 0.88) await this.take(node);
    else if (roll < 0.92) await this.putBack(node);
    else if (roll < 0.97) await this.publish(node);
    else this.join();
  }

  async publish(node: QueueChanges): Promise<void> {
    const pending = node.take(ROOM);
    if (!pending) return;
    const patch = patchOf(ROOM, pending, await this.store.list(ROOM, MAX_LISTED_QUESTIONS));
    for (const member of this.members) member.inbox.push(patch);
  }

  /** Joins the channel now; the snapshot is read a little later (patches may come first or after). */
  join(): void {
    const member: Member = { queue: new ListedQueue(), inbox: [] };
    this.members.push(member);
    void this.store.list(ROOM, MAX_LISTED_QUESTIONS).then((listed) => {
      member.snapshot = snapshotChange(ROOM, listed.questions, listed.count, listed.version);
    });
  }

  /** Delivers some of a member's inbox (in order, or shuffled with `anyOrder`), the snapshot among them. */
  deliver(member: Member, anyOrder: boolean, all = false): void {
    const count = all ? member.inbox.length : Math.floor(this.rand() * (member.inbox.length + 1));
    for (let i = 0; i < count; i++) {
      if (member.snapshot && this.rand() < 0.3) this.deliverSnapshot(member);
      const index = anyOrder ? Math.floor(this.rand() * member.inbox.length) : 0;
      member.queue.apply(member.inbox.splice(index, 1)[0]!);
    }
    if (all && member.snapshot) this.deliverSnapshot(member);
  }

  private deliverSnapshot(member: Member): void {
    member.queue.apply(member.snapshot!);
    member.snapshot = undefined;
  }

  private async submit(node: QueueChanges): Promise<void> {
    const id = `q${this.ids.length + 1}`;
    const question = { id, roomId: ROOM, text: id, author: "a", createdAt: ++this.createdAt, votes: 0, rev: 0 };
    if (!(await this.store.submit(question, MAX_QUEUED, "asker"))) return;
    this.ids.push(id);
    node.changed(ROOM, id);
  }

  private async vote(node: QueueChanges): Promise<void> {
    const id = this.pick(this.ids);
    if (id === undefined) return;
    // Few voters per question, and most votes on a few questions: the order keeps changing.
    const voter = `v${Math.floor(this.rand() * 12)}`;
    const target = this.rand() < 0.5 ? this.ids[Math.floor(this.rand() * Math.min(8, this.ids.length))]! : id;
    if ((await this.store.vote(ROOM, target, voter)) !== undefined) node.changed(ROOM, target);
  }

  private async take(node: QueueChanges): Promise<void> {
    const listed = await this.store.list(ROOM, MAX_QUEUED);
    const question = this.pick(this.rand() < 0.5 ? listed.questions.slice(0, 3) : listed.questions);
    if (!question || !(await this.store.take(ROOM, question.id))) return;
    this.taken.push(question);
    node.removed(ROOM, question.id);
  }

  private async putBack(node: QueueChanges): Promise<void> {
    const question = this.taken.pop();
    if (question && (await this.store.submit({ ...question, votes: 0 }, MAX_QUEUED, "asker")))
      node.changed(ROOM, question.id);
  }
}

async function run(seed: number, nodeCount: number, anyOrder: boolean): Promise<void> {
  const rand = random(seed);
  const sim = new Simulation(nodeCount, rand);
  sim.join();
  for (let i = 0; i < 600; i++) {
    await sim.step();
    if (rand() < 0.3) sim.deliver(sim.pick(sim.members)!, anyOrder);
  }
  for (const node of sim.nodes) await sim.publish(node);
  const truth = await sim.store.list(ROOM, MAX_LISTED_QUESTIONS);
  for (const member of sim.members) {
    sim.deliver(member, anyOrder, true);
    if (process.env.DEBUG_QUEUE && JSON.stringify(member.queue.questions) !== JSON.stringify(truth.questions)) {
      const held = new Set(member.queue.questions.map((q) => q.id));
      console.log(
        seed,
        "missing",
        truth.questions.filter((q) => !held.has(q.id)),
        "extra",
        member.queue.questions.filter((q) => !truth.questions.some((t) => t.id === q.id)),
      );
      console.log(member.queue.questions.slice(-3), truth.questions.slice(-3));
    }
    expect(member.queue.questions, `seed ${seed}`).toEqual(truth.questions);
    expect(member.queue.count, `seed ${seed}`).toBe(truth.count);
  }
}

describe("queue patches applied to the join snapshot give the server's visible list", () => {
  it("one node, patches in the order it sent them (snapshot anywhere among those since the join)", async () => {
    for (let seed = 1; seed <= 30; seed++) await run(seed, 1, false);
  });

  it("two nodes, patches in any order", async () => {
    for (let seed = 1; seed <= 200; seed++) await run(seed, 2, true);
  });
});

describe("patchOf", () => {
  const listed = (ids: string[]) => ({
    questions: ids.map((id, i) => ({ id, roomId: ROOM, text: id, author: "a", createdAt: i, votes: 0, rev: i + 1 })),
    count: 70,
    version: 9,
  });

  it("sends only changed questions that are listed, with the count and version", () => {
    const changes = new QueueChanges();
    changes.changed(ROOM, "b");
    changes.changed(ROOM, "beyond-the-list");
    expect(patchOf(ROOM, changes.take(ROOM)!, listed(["a", "b", "c"]))).toEqual({
      roomId: ROOM,
      upserts: [listed(["a", "b"]).questions[1]],
      removed: [],
      complete: false,
      count: 70,
      version: 9,
    });
    expect(changes.take(ROOM)).toBeUndefined();
  });

  it("after a removal sends the whole visible list (others may have moved into it)", () => {
    const changes = new QueueChanges();
    changes.removed(ROOM, "gone");
    changes.changed(ROOM, "a");
    expect(patchOf(ROOM, changes.take(ROOM)!, listed(["a", "b"]))).toMatchObject({
      upserts: listed(["a", "b"]).questions,
      removed: ["gone"],
      complete: true,
    });
  });

  it("a question taken and put back within the window is not `removed` (clients without versions would drop it)", () => {
    const changes = new QueueChanges();
    changes.removed(ROOM, "b");
    changes.changed(ROOM, "b");
    changes.removed(ROOM, "gone");
    expect(patchOf(ROOM, changes.take(ROOM)!, listed(["a", "b"]))).toMatchObject({ removed: ["gone"], complete: true });
  });
});
