import { Continuations } from "./continuation.ts";
import { AbandonedAnswers } from "./abandoned-answers.ts";
import { AnswerStarts } from "./answer-starts.ts";
import { Answers } from "./answers.ts";
import { Asking } from "./asking.ts";
import { Invitations } from "./invitations.ts";
import { JoinCodes } from "./join-codes.ts";
import { JoinLimits } from "./join-limits.ts";
import { Membership } from "./membership.ts";
import { noMetrics } from "./no-metrics.ts";
import { Presence } from "./presence.ts";
import { QueueActions } from "./queue-actions.ts";
import { Questions } from "./questions.ts";
import { RoomAdmin } from "./room-admin.ts";
import { RoomCatalog } from "./room-catalog.ts";
import { RoomHistory } from "./room-history.ts";
import { RoomLifetime } from "./room-lifetime.ts";
import { RoomReplays } from "./room-replays.ts";
import type { RoomServiceDeps } from "./room-service-deps.ts";
import { RoomWindows } from "./room-windows.ts";
import { SharedPrompts } from "./shared-prompts.ts";
import { RoomTokens } from "./tokens.ts";
import { TypingSignals } from "./typing-signals.ts";
import type { UpkeepTask } from "./upkeep.ts";
import { ConnectionVoters, processVoterSecret, VoterIds } from "./voter-ids.ts";

/** The room rules' parts, each given only the ports and parts it uses. */
export type RoomParts = ReturnType<typeof roomParts>;

export function roomParts(deps: RoomServiceDeps) {
  const rooms = roomBasics(deps);
  const membership = membershipOf(deps, rooms);
  const asking = askingParts(deps, rooms, membership);
  deps.cluster?.onStopRequest((request) => asking.answers.stopLocal(request));
  const joinCodes = new JoinCodes({ ...deps, ...rooms, membership });
  return { ...rooms, membership, ...asking, joinCodes, admin: new RoomAdmin({ ...deps, ...rooms, membership }) };
}

/** What every other part builds on: rooms and their settings, who is where, the end of a room, invitations. */
function roomBasics(deps: RoomServiceDeps) {
  const now = deps.now ?? Date.now;
  const { records, broadcaster, logger } = deps;
  const presence = new Presence(deps);
  const catalog = new RoomCatalog({ records, source: deps.source, maxTextLength: deps.limits.maxTextLength, now });
  const lifetime = new RoomLifetime({ catalog, broadcaster, logger, localRooms: () => presence.rooms() });
  const invitations = new Invitations({
    records,
    catalog,
    tokens: deps.tokens ?? new RoomTokens(undefined),
    lifetime,
    logger,
  });
  const questions = new Questions({ queue: deps.queue, broadcaster, logger, now });
  const typing = new TypingSignals({ presence, broadcaster, lifetime, now });
  return {
    now,
    presence,
    catalog,
    lifetime,
    invitations,
    questions,
    typing,
    history: new RoomHistory(deps.store, deps.history),
  };
}

function membershipOf(deps: RoomServiceDeps, rooms: ReturnType<typeof roomBasics>): Membership {
  const { limits, directory, store } = deps;
  const { presence } = rooms;
  const joinLimits = new JoinLimits({ limits, presence, directory, store, adhocRooms: deps.budgets?.adhocRooms });
  const voters = new ConnectionVoters(deps.voterIds ?? new VoterIds(processVoterSecret()));
  return new Membership({ ...rooms, joinLimits, voters });
}

/** Answers and what members do with them: ask, stop, resume, regenerate, the question queue, and unwatched answers. */
function askingParts(deps: RoomServiceDeps, rooms: ReturnType<typeof roomBasics>, membership: Membership) {
  const { limits } = deps;
  const windows = deps.windows ?? RoomWindows.fixed(limits.coalesceMs);
  const continuations = deps.continuation && new Continuations({ ...deps, ...deps.continuation, ...rooms });
  const answers = new Answers({ ...deps, metrics: deps.metrics ?? noMetrics, ...limits, windows, continuations });
  const answerBudget = deps.budgets?.answers;
  const starts = new AnswerStarts({ ...deps, ...rooms, answers, answerBudget, maxTextLength: limits.maxTextLength });
  const shared = new SharedPrompts({ ...deps, ...rooms, starts });
  const asking = new Asking({ ...deps, ...rooms, membership, starts, shared, answers });
  const queueActions = new QueueActions({ ...rooms, membership, starts });
  const replays = new RoomReplays({ ...deps, ...rooms, membership });
  return { answers, starts, asking, queueActions, replays, abandoned: abandonedAnswers(answers, deps) };
}

/** The chores a node runs on timers, by name: heartbeats, dead nodes' members, orphaned and abandoned answers. */
export function upkeepTasksOf(parts: RoomParts, deps: RoomServiceDeps): UpkeepTask[] {
  const { answers, presence, abandoned } = parts;
  return [
    { name: "orphaned answers", everyMs: deps.locks.orphanCheckEveryMs, run: () => answers.takeOverOrphans() },
    { name: "heartbeat", everyMs: deps.directory.heartbeatEveryMs, run: () => presence.heartbeat() },
    { name: "dead nodes' members", everyMs: deps.directory.heartbeatEveryMs, run: () => presence.sweep() },
    { name: "abandoned answers", everyMs: abandoned.everyMs, run: () => abandoned.check() },
  ];
}

/** Stops answers nobody watches: nobody in the room on any node, and the room was not created. */
function abandonedAnswers(answers: Answers, deps: RoomServiceDeps): AbandonedAnswers {
  return new AbandonedAnswers({
    graceMs: deps.limits.abandonedAnswerGraceMs,
    now: deps.now ?? Date.now,
    running: () => answers.answersRunning(),
    watched: async (roomId) =>
      (await deps.directory.list(roomId, 0)).count > 0 || (await deps.records.get(roomId)) !== undefined,
    stop: (answer) => answers.stopUnwatched(answer),
  });
}
