import { describe, expect, it } from "vitest";
import { modelsUrl } from "./upstream-probe.ts";

describe("modelsUrl", () => {
  it.each([
    ["http://localhost:8080", "http://localhost:8080/v1/models"],
    ["http://localhost:8080/", "http://localhost:8080/v1/models"],
    ["http://localhost:8080/v1", "http://localhost:8080/v1/models"],
    ["http://host/openai/v1/", "http://host/openai/v1/models"],
  ])("%s → %s", (base, url) => {
    expect(modelsUrl(base).href).toBe(url);
  });
});
