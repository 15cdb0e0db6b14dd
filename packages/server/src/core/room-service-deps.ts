import type { Message } from "@tokencast/protocol";
import type { HistoryBudget } from "./history-page.ts";
import type {
  ActionBudget,
  AnswerLocks,
  AnswerSource,
  Broadcaster,
  ChatTurn,
  Cluster,
  Logger,
  MemberDirectory,
  Metrics,
  QuestionQueue,
  RoomRecords,
  RoomStore,
  UpstreamSlots,
} from "./ports.ts";
import type { TokenQuotas } from "./quotas.ts";
import type { CoalescingWindows } from "./shared-windows.ts";
import type { RoomTokens } from "./tokens.ts";
import type { VoterIds } from "./voter-ids.ts";

/** Everything the room rules run on: the ports, and the limits of this deployment. */
export interface RoomServiceDeps {
  store: RoomStore;
  records: RoomRecords;
  queue: QuestionQueue;
  /** Token quotas per room and per person; absent: none. */
  quotas?: TokenQuotas;
  /** The LLM's capacity: answers beyond it wait in a fair line (LLM_MAX_CONCURRENT). */
  slots: UpstreamSlots;
  locks: AnswerLocks;
  directory: MemberDirectory;
  source: AnswerSource;
  broadcaster: Broadcaster;
  logger: Logger;
  /** Turns the room's history (oldest first, ending with the question) into what goes upstream. */
  buildTurns: (history: Message[], systemPrompt: string | undefined) => ChatTurn[];
  limits: {
    maxTextLength: number;
    /** The coalescing window when `windows` is absent. */
    coalesceMs: number;
    coalesceMaxChars: number;
    /** Joins beyond these are refused: `room_full` (all nodes) and `server_full` (rooms on this node). */
    maxMembersPerRoom: number;
    maxRoomsPerNode: number;
    /** Rooms one connection may be in (`too_many_rooms`) and members of a room from one IP (`room_full`); 0: no cap. */
    maxRoomsPerConnection: number;
    maxMembersPerIpPerRoom: number;
    /** An answer of an ad-hoc room nobody is in any more stops after this long (0: never). */
    abandonedAnswerGraceMs: number;
  };
  /** Per client IP: ad-hoc rooms opened and answers started (`rate_limited`); absent: no budget. */
  budgets?: { adhocRooms?: ActionBudget; answers?: ActionBudget };
  /** What a join snapshot carries at most (JOIN_HISTORY_*); a `room:history` page, its bytes. */
  history: HistoryBudget;
  /** Other nodes, to reach the one running an answer; absent on a single node. */
  cluster?: Cluster;
  /** Signed room tokens (TOKEN_SECRET); absent: no tokens, no private rooms. */
  tokens?: RoomTokens;
  /** The coalescing windows of this node's rooms, adapting to their broadcasts; absent: `limits.coalesceMs`, fixed. */
  windows?: CoalescingWindows;
  /** Where answers report for monitoring; none: nowhere. */
  metrics?: Metrics;
  /** Signs voter ids (one vote per voter); absent: with a secret of this process only. */
  voterIds?: VoterIds;
  /**
   * A dead node's answers go on here (LLM_CONTINUE), recorded as by `nodeId`, at most
   * `maxContinuations` times each; absent: they end `interrupted`.
   */
  continuation?: { nodeId: string; maxContinuations: number };
  now?: () => number;
}
