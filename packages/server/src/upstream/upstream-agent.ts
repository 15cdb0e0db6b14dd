/**
 * The HTTP agent for upstream LLM requests. undici's defaults (also those of Node's global fetch)
 * abort a request after 300 s without response headers or without body bytes; LocalAI sends no
 * headers until a lazily loaded model is ready, which takes longer than that. Our Watchdog
 * (LLM_FIRST_TOKEN_TIMEOUT_MS, LLM_IDLE_TIMEOUT_MS) governs both waits, so the agent has none.
 */
import { Agent } from "undici";

export function createUpstreamAgent(): Agent {
  return new Agent({ headersTimeout: 0, bodyTimeout: 0 });
}
