import { describe, expect, it } from "vitest";
import { answerLinks } from "./answer-links.ts";
import { linkStep } from "./linked-message.ts";
import { hashWithoutCredentials, messageFromHash, messageLink } from "./message-links.ts";
import { keyFromHash } from "./room-keys.ts";

const ID = "0b7c4e2a-9d1f-4c3b-8a6e-2f5d7c9e1b3a";

describe("message links", () => {
  it("builds /r/<room>#m=<id> and reads the id back, alone or beside a key or token", () => {
    const link = messageLink("https://cast.example", "brave-otter-42", ID);
    expect(link).toBe(`https://cast.example/r/brave-otter-42#m=${ID}`);
    expect(messageFromHash(new URL(link).hash)).toBe(ID);
    expect(messageFromHash(`#key=K&m=${ID}`)).toBe(ID);
    expect(messageFromHash(`#m=${ID}&token=T`)).toBe(ID);
    expect(keyFromHash(`#key=K&m=${ID}`)).toBe("K");
  });

  it("ignores fragments without a well-formed message id", () => {
    for (const hash of ["", "#", "#key=K", "#m=", "#m=<script>", `#m=${"x".repeat(65)}`, "#message-abc"]) {
      expect(messageFromHash(hash)).toBeUndefined();
    }
  });

  it("takes the credentials out of a fragment and keeps the rest", () => {
    expect(hashWithoutCredentials(`#key=K&m=${ID}`)).toBe(`#m=${ID}`);
    expect(hashWithoutCredentials(`#token=T&key=K`)).toBe("");
    expect(hashWithoutCredentials(`#m=${ID}&token=T`)).toBe(`#m=${ID}`);
    expect(hashWithoutCredentials("")).toBe("");
  });
});

describe("linkStep", () => {
  const room = (ids: string[], more = false, extra = {}) => ({
    joined: true,
    messages: ids.map((id) => ({ id })),
    moreHistory: more,
    loadingOlder: false,
    ...extra,
  });

  it("waits for the join and for a page on its way, then shows a loaded message", () => {
    expect(linkStep("b", room(["a", "b"], false, { joined: false }), 0)).toBe("wait");
    expect(linkStep("b", room(["a"], true, { loadingOlder: true }), 0)).toBe("wait");
    expect(linkStep("b", room(["a", "b"]), 0)).toBe("show");
  });

  it("fetches older pages while there are some, up to the bound, then gives up", () => {
    expect(linkStep("z", room(["a"], true), 0)).toBe("load-older");
    expect(linkStep("z", room(["a"], true), 2, 3)).toBe("load-older");
    expect(linkStep("z", room(["a"], true), 3, 3)).toBe("missing");
    expect(linkStep("z", room(["a"], false), 0)).toBe("missing");
  });
});

describe("answerLinks().latestAnswer", () => {
  const message = (id: string, role: "user" | "assistant") =>
    ({ id, role, roomId: "r", author: "a", text: "", seq: 0, status: "done", createdAt: 0 }) as const;

  it("is the last answer in the list, the only one Regenerate is offered on", () => {
    expect(answerLinks([message("q1", "user"), message("a1", "assistant"), message("q2", "user")]).latestAnswer).toBe(
      "a1",
    );
    expect(answerLinks([message("a1", "assistant"), message("a2", "assistant")]).latestAnswer).toBe("a2");
    expect(answerLinks([message("q1", "user")]).latestAnswer).toBeUndefined();
  });
});
