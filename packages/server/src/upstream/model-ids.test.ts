import { describe, expect, it } from "vitest";
import { modelIdsOf } from "./model-ids.ts";

describe("modelIdsOf", () => {
  it("reads the ids of an OpenAI-style list, skipping entries that are not model names", () => {
    const body = {
      object: "list",
      data: [
        { id: "llama-3.2-1b-instruct:q4_k_m", object: "model" },
        { id: "phi/3" },
        { id: "<img src=x>" },
        { id: 42 },
        { id: "x".repeat(101) },
        null,
      ],
    };
    expect(modelIdsOf(body)).toEqual(["llama-3.2-1b-instruct:q4_k_m", "phi/3"]);
  });

  it("refuses a body that is no list", () => {
    expect(() => modelIdsOf({ models: [] })).toThrow(/data/);
    expect(() => modelIdsOf("nope")).toThrow(/data/);
  });
});
