import { describe, expect, it } from "vitest";
import { AppError } from "./errors.ts";
import { RoomTokens } from "./tokens.ts";

const tokens = new RoomTokens("tokens-unit-test-secret-0123456789");
const request = { roomId: "room", role: "viewer" as const, ttlSeconds: 60 };

describe("RoomTokens names", () => {
  it.each(["", "   ", "\u200b\u200d", "\u0000\u0007", "x".repeat(41), "Ada\ud800"])(
    "mint refuses the name %j (invalid_payload), not first at use",
    async (name) => {
      const error = await tokens.mint({ ...request, name }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe("invalid_payload");
    },
  );

  it("mint signs the name as a join keeps it (NFC, no control characters, trimmed)", async () => {
    const { token } = await tokens.mint({ ...request, name: " \u200bZoe\u0308\u0007 " });
    expect((await tokens.verify(token, "room")).name).toBe("Zoë");
  });
});
