import type { Logger } from "./ports.ts";

export interface UpkeepTask {
  name: string;
  /** 0 or less: never run. */
  everyMs: number;
  run: () => Promise<void>;
}

/** While the store is down, a failing task is logged once every this many runs. */
const LOG_EVERY_FAILURES = 20;

/**
 * Runs periodic cluster chores (heartbeats, sweeping dead nodes' members, taking over orphaned
 * answers). A run never overlaps the previous one of the same task; failures are logged, never thrown.
 */
export class Upkeep {
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly tasks: UpkeepTask[],
    private readonly logger: Logger,
  ) {}

  start(): void {
    for (const task of this.tasks) {
      if (task.everyMs <= 0) continue;
      let busy = false;
      let failures = 0;
      const timer = setInterval(() => {
        if (busy) return;
        busy = true;
        task
          .run()
          .then(() => (failures = 0))
          .catch((error: unknown) => {
            if (failures++ % LOG_EVERY_FAILURES === 0)
              this.logger.warn({ err: error, task: task.name, failures }, "cluster upkeep failed; retrying");
          })
          .finally(() => (busy = false));
      }, task.everyMs);
      timer.unref();
      this.timers.push(timer);
    }
  }

  stop(): void {
    for (const timer of this.timers.splice(0)) clearInterval(timer);
  }
}
