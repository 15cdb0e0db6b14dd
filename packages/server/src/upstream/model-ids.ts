/**
 * The ids in an OpenAI-style model list (`{ data: [{ id }] }`, as LocalAI, llama.cpp, Ollama and
 * vLLM answer `/v1/models`). Entries that are not usable model names are skipped, not fatal.
 */
import { MAX_MODEL_LENGTH } from "@tokencast/protocol";
import { AppError } from "../core/errors.ts";

const MODEL_ID = /^[\w.:/@+-]+$/;

export function modelIdsOf(body: unknown): string[] {
  const data = isRecord(body) ? body.data : undefined;
  if (!Array.isArray(data)) throw new AppError("upstream_bad_response", "The model list has no `data` array.");
  return data.flatMap((entry) => {
    const id = isRecord(entry) ? entry.id : undefined;
    return typeof id === "string" && usable(id) ? [id] : [];
  });
}

function usable(id: string): boolean {
  return id.length <= MAX_MODEL_LENGTH && MODEL_ID.test(id);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
