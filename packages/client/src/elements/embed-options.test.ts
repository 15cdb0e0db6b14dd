import { describe, expect, it } from "vitest";
import { connectionOptions } from "./embed-options.ts";

const element = {
  server: "https://chat.example.com",
  roomId: "r1",
  name: "Guest",
  replay: "paced",
  fresh: false,
} as const;

describe("connectionOptions", () => {
  it("joins the element's room as a participant, with its access token", () => {
    expect(connectionOptions({ ...element, prompt: "Hi", token: "t0ken" })).toEqual({
      url: "https://chat.example.com",
      roomId: "r1",
      name: "Guest",
      role: "participant",
      token: "t0ken",
    });
  });

  it("sends no token field when the element has none", () => {
    expect(connectionOptions(element)).toStrictEqual({
      url: "https://chat.example.com",
      roomId: "r1",
      name: "Guest",
      role: "participant",
    });
  });
});
