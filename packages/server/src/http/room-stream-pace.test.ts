import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import type { Message } from "@tokencast/protocol";
import { RoomStream } from "./room-stream.ts";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

function finishedRoom(answers: number): Message[] {
  return Array.from({ length: answers }, (_, i) => ({
    ...{ id: `a${i}`, roomId: "r", role: "assistant", author: "model" },
    ...{ text: "x".repeat(4096), seq: 40, status: "done", createdAt: i },
  }));
}

/** Collects garbage until `ref` is gone (or gives up): a WeakRef holds its target until the current job ends. */
async function collected(ref: WeakRef<object>): Promise<boolean> {
  for (let i = 0; i < 10 && ref.deref() !== undefined; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  }
  return ref.deref() === undefined;
}

describe("RoomStream pace and memory", () => {
  it("sends the deltas of a resume one at a time, waiting for the consumer between them", async () => {
    const calls: string[] = [];
    const answer: Message = {
      ...{ id: "a", roomId: "r", role: "assistant", author: "m" },
      ...{ text: "", seq: 0, status: "streaming", createdAt: 1 },
    };
    const deltas = [1, 2, 3].map((seq) => ({ seq, text: `t${seq}` }));
    const stream = new RoomStream({
      send: (event) => calls.push(`send ${event.id}`),
      comment: () => undefined,
      resume: async () => ({ deltas, status: "streaming" }),
      snapshot: async () => [answer],
      drained: async () => void calls.push("drained"),
      fail: (error) => expect.fail(String(error)),
      maxPendingBytes: 1 << 20,
    });
    stream.start([answer], undefined);
    stream.push({ type: "delta", delta: { roomId: "r", messageId: "a", seq: 3, text: "t3" } });
    await stream.idle();
    expect(calls).toEqual(["send a:0", "drained", "send a:1", "drained", "send a:2", "drained", "send a:3", "drained"]);
  });

  it("keeps nothing of the join snapshot once it is sent (an SSE session holds no texts)", async () => {
    const sent: string[] = [];
    const stream = new RoomStream({
      send: (event) => sent.push(event.event),
      comment: () => undefined,
      resume: async () => ({ deltas: [], status: "done" }),
      snapshot: async () => [],
      drained: async () => undefined,
      fail: (error) => expect.fail(String(error)),
      maxPendingBytes: 1 << 20,
    });
    let snapshot: Message[] | undefined = finishedRoom(50);
    const refs = [new WeakRef(snapshot), new WeakRef(snapshot[0]!)];
    stream.start(snapshot, undefined);
    snapshot = undefined;
    await stream.idle();
    expect(sent).toHaveLength(50);
    expect(await collected(refs[0]!), "the snapshot is still reachable from the stream").toBe(true);
    expect(await collected(refs[1]!), "a message is still reachable from the stream").toBe(true);
    expect(stream).toBeDefined();
  });
});
