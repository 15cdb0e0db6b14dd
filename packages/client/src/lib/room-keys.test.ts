import { describe, expect, it } from "vitest";
import { RoomKeys, browserVoter, keyFromHash, tokenFromHash } from "./room-keys.ts";
import type { KeyStorage } from "./room-keys.ts";

function memoryStorage(): KeyStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
    removeItem: (k) => void data.delete(k),
  };
}

const broken: KeyStorage = {
  getItem: () => {
    throw new Error("denied");
  },
  setItem: () => {
    throw new Error("denied");
  },
  removeItem: () => {
    throw new Error("denied");
  },
};

describe("keyFromHash", () => {
  it("reads the key parameter of a fragment", () => {
    expect(keyFromHash("#key=abc123")).toBe("abc123");
    expect(keyFromHash("key=abc")).toBe("abc");
    expect(keyFromHash("#x=1&key=k%2B1")).toBe("k+1");
    expect(keyFromHash("#key=")).toBeUndefined();
    expect(keyFromHash("#key=%20")).toBeUndefined();
    expect(keyFromHash("")).toBeUndefined();
    expect(keyFromHash("#message-42")).toBeUndefined();
  });
});

describe("RoomKeys", () => {
  it("remembers keys per room under tokencast:key:<room> and forgets them", () => {
    const storage = memoryStorage();
    const keys = new RoomKeys(storage);
    keys.remember("talk-1", "K1");
    expect(storage.data.get("tokencast:key:talk-1")).toBe("K1");
    expect(new RoomKeys(storage).get("talk-1")).toBe("K1");
    expect(keys.get("other")).toBeUndefined();
    keys.forget("talk-1");
    expect(keys.get("talk-1")).toBeUndefined();
    expect(storage.data.size).toBe(0);
  });

  it("keeps working in memory when storage throws", () => {
    const keys = new RoomKeys(broken);
    keys.remember("r", "K");
    expect(keys.get("r")).toBe("K");
    keys.forget("r");
    expect(keys.get("r")).toBeUndefined();
  });
});

describe("browserVoter", () => {
  it("has none until the server gives one, then keeps it in storage", () => {
    const storage = memoryStorage();
    const voter = browserVoter(storage);
    expect(voter.load()).toBeUndefined();
    voter.save("id.mac");
    expect(storage.data.get("tokencast:voter")).toBe("id.mac");
    expect(browserVoter(storage).load()).toBe("id.mac");
  });

  it("keeps it for the tab without storage", () => {
    const voter = browserVoter(broken);
    voter.save("tab.voter");
    expect(voter.load()).toBe("tab.voter");
  });
});

describe("invitation tokens", () => {
  it("reads #token= from a fragment, apart from #key=", () => {
    expect(tokenFromHash("#token=a.b.c")).toBe("a.b.c");
    expect(tokenFromHash("#key=k&token=t")).toBe("t");
    expect(tokenFromHash("#key=k")).toBeUndefined();
    expect(keyFromHash("#token=t")).toBeUndefined();
  });

  it("remembers a token per room, separately from the room's key, and forgets it", () => {
    const storage = memoryStorage();
    const keys = new RoomKeys(storage);
    keys.remember("room-a", "key-a");
    keys.rememberToken("room-a", "token-a");
    expect(new RoomKeys(storage).getToken("room-a")).toBe("token-a");
    expect(keys.get("room-a")).toBe("key-a");
    expect(keys.getToken("room-b")).toBeUndefined();
    keys.forgetToken("room-a");
    expect(keys.getToken("room-a")).toBeUndefined();
    expect(keys.get("room-a")).toBe("key-a");
  });
});
