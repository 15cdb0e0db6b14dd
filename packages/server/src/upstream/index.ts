import type { AnswerSource } from "../core/ports.ts";
import { DemoSource } from "./demo-source.ts";
import { OpenAiSource } from "./openai-source.ts";

export { DemoSource } from "./demo-source.ts";
export { OpenAiSource, type OpenAiSourceOptions } from "./openai-source.ts";
export { buildTurns, toCompletionPrompt } from "./prompt.ts";

export interface SourceConfig {
  baseUrl: string | undefined;
  apiKey: string | undefined;
  model: string | undefined;
  api: "chat" | "completions";
  firstTokenTimeoutMs: number;
  idleTimeoutMs: number;
  demoTokensPerSecond: number;
  maxTokens: number | undefined;
  temperature: number | undefined;
  maxAnswerChars: number;
  /** Whether the LLM server continues a partial answer (LLM_CONTINUE). */
  continues: boolean;
}

/** The demo model without an LLM_BASE_URL, else the OpenAI-compatible client. */
export function createAnswerSource(config: SourceConfig): AnswerSource {
  if (!config.baseUrl) return new DemoSource({ tokensPerSecond: config.demoTokensPerSecond });
  return new OpenAiSource({
    baseUrl: config.baseUrl,
    model: config.model ?? "default",
    api: config.api,
    firstTokenTimeoutMs: config.firstTokenTimeoutMs,
    idleTimeoutMs: config.idleTimeoutMs,
    maxAnswerChars: config.maxAnswerChars,
    continues: config.continues,
    ...(config.apiKey ? { apiKey: config.apiKey } : {}),
    ...(config.maxTokens !== undefined ? { maxTokens: config.maxTokens } : {}),
    ...(config.temperature !== undefined ? { temperature: config.temperature } : {}),
  });
}
