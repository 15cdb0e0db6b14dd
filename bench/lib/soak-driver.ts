/**
 * A soak room's driver: a participant who asks a new question as soon as the previous answer
 * ends (200–800 tokens at 100–300 tok/s, see soak-text.ts), until stopped.
 */
import type { EndEvent, ResumeResult, SendResult } from "@tokencast/protocol";
import type { Socket } from "socket.io-client";
import { joinedSocket } from "./asker.ts";
import { question, type AnswerPlan } from "./soak-text.ts";

export interface DriverCounts {
  asked: number;
  /** Answers that ended "done", and those that ended otherwise (stopped, error, interrupted). */
  done: number;
  failed: number;
  /** chat:send refused (then retried). */
  refused: number;
  /** No chat:end within END_TIMEOUT_MS: the driver asked where the answer stood. */
  endsMissed: number;
  examples: string[];
}

const END_TIMEOUT_MS = 60_000;
const between = (low: number, high: number) => low + Math.floor(Math.random() * (high - low + 1));

export class SoakDriver {
  private socket: Socket | undefined;
  private running = true;
  private loop: Promise<void> = Promise.resolve();

  constructor(
    private readonly url: string,
    private readonly roomId: string,
    readonly counts: DriverCounts,
  ) {}

  async start(): Promise<void> {
    this.socket = await joinedSocket(this.url, this.roomId, `driver-${this.roomId}`);
    this.loop = this.run(this.socket);
  }

  /** Stops after the answer in progress ends. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    this.socket?.close();
  }

  private async run(socket: Socket): Promise<void> {
    while (this.running) {
      const plan: AnswerPlan = {
        seed: between(0, 999_999),
        tokens: between(200, 800),
        tokensPerSecond: between(100, 300),
      };
      const ack = (await socket
        .timeout(30_000)
        .emitWithAck("chat:send", { roomId: this.roomId, text: question(plan) })) as {
        ok: boolean;
      } & Partial<SendResult>;
      if (!ack.ok || !ack.replyId) {
        this.counts.refused += 1;
        this.example(`chat:send refused: ${JSON.stringify(ack).slice(0, 200)}`);
        await new Promise((resolve) => setTimeout(resolve, 1000));
        continue;
      }
      this.counts.asked += 1;
      const status = await this.endOf(socket, ack.replyId);
      if (status === "done") this.counts.done += 1;
      else this.counts.failed += 1;
    }
  }

  /** Waits for the answer's chat:end; past END_TIMEOUT_MS asks the server where it stands. */
  private async endOf(socket: Socket, replyId: string): Promise<string> {
    for (;;) {
      const status = await new Promise<string | undefined>((resolve) => {
        const onEnd = (end: EndEvent) => {
          if (end.messageId !== replyId) return;
          clearTimeout(timer);
          socket.off("chat:end", onEnd);
          resolve(end.status);
        };
        const timer = setTimeout(() => {
          socket.off("chat:end", onEnd);
          resolve(undefined);
        }, END_TIMEOUT_MS);
        socket.on("chat:end", onEnd);
      });
      if (status !== undefined) return status;
      this.counts.endsMissed += 1;
      const probe = (await socket
        .timeout(10_000)
        .emitWithAck("chat:resume", { roomId: this.roomId, messageId: replyId, afterSeq: 0 })) as {
        ok: boolean;
      } & Partial<ResumeResult>;
      const says = probe.status ?? JSON.stringify(probe).slice(0, 200);
      this.example(`no chat:end for ${replyId} in ${END_TIMEOUT_MS} ms; resume says ${says}`);
      if (probe.ok && probe.status && probe.status !== "streaming" && probe.status !== "pending") return probe.status;
    }
  }

  private example(text: string): void {
    if (this.counts.examples.length < 20) this.counts.examples.push(text);
  }
}

export function emptyDriverCounts(): DriverCounts {
  return { asked: 0, done: 0, failed: 0, refused: 0, endsMissed: 0, examples: [] };
}
