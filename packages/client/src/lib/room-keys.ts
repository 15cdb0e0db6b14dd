/**
 * Room keys and this browser's voter id, kept in localStorage. A key (owner or presenter) comes
 * in a link's fragment (`/r/<id>#key=K`), is remembered per room and sent with every join; the
 * voter id is signed by the server (join ack) and sent with every later join (one vote per question).
 */
const KEY_PREFIX = "tokencast:key:";
const TOKEN_PREFIX = "tokencast:token:";
const VOTER_KEY = "tokencast:voter";

export type KeyStorage = Pick<Storage, "getItem" | "setItem" | "removeItem">;

/** The `key` parameter of a URL fragment (`#key=K`, also `#a=b&key=K`), if any. */
export function keyFromHash(hash: string): string | undefined {
  return hashParam(hash, "key");
}

/** The `token` parameter (a signed room token, from an invitation link `#token=T`), if any. */
export function tokenFromHash(hash: string): string | undefined {
  return hashParam(hash, "token");
}

function hashParam(hash: string, name: string): string | undefined {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const value = params.get(name)?.trim();
  return value ? value : undefined;
}

/** localStorage, or undefined where it is missing or access throws (sandboxed frames, privacy modes). */
export function browserStorage(): KeyStorage | undefined {
  try {
    return globalThis.localStorage ?? undefined;
  } catch {
    // Reading `localStorage` itself throws when storage is denied: run without it.
    return undefined;
  }
}

/**
 * The keys (and invitation tokens) this browser holds, by room. Storage failures only mean a key
 * is not remembered.
 */
export class RoomKeys {
  private readonly memory = new Map<string, string>();

  constructor(private readonly storage: KeyStorage | undefined = browserStorage()) {}

  get(roomId: string): string | undefined {
    return this.getItem(KEY_PREFIX + roomId);
  }

  remember(roomId: string, key: string): void {
    this.setItem(KEY_PREFIX + roomId, key);
  }

  forget(roomId: string): void {
    this.removeItem(KEY_PREFIX + roomId);
  }

  /** The room token (from a `#token=` invitation link) this browser holds for the room. */
  getToken(roomId: string): string | undefined {
    return this.getItem(TOKEN_PREFIX + roomId);
  }

  rememberToken(roomId: string, token: string): void {
    this.setItem(TOKEN_PREFIX + roomId, token);
  }

  forgetToken(roomId: string): void {
    this.removeItem(TOKEN_PREFIX + roomId);
  }

  private getItem(name: string): string | undefined {
    return this.read(name) ?? this.memory.get(name);
  }

  private setItem(name: string, value: string): void {
    this.memory.set(name, value);
    this.attempt(() => this.storage?.setItem(name, value));
  }

  private removeItem(name: string): void {
    this.memory.delete(name);
    this.attempt(() => this.storage?.removeItem(name));
  }

  private read(name: string): string | undefined {
    let value: string | null | undefined;
    this.attempt(() => (value = this.storage?.getItem(name)));
    return value ?? undefined;
  }

  private attempt(run: () => void): void {
    try {
      run();
    } catch {
      // Storage full or denied: the in-memory copy still serves this tab.
    }
  }
}

/** Where the signed voter id the server gave this browser is kept (one vote per question). */
export interface VoterStore {
  load(): string | undefined;
  save(voter: string): void;
}

let tabVoter: string | undefined;

/**
 * This browser's voter id in storage (`tokencast:voter`); without storage, one per tab. The
 * server signs it: a value it did not issue is replaced by a fresh one on the next join.
 */
export function browserVoter(storage: KeyStorage | undefined = browserStorage()): VoterStore {
  return {
    load: () => readStored(storage, VOTER_KEY) ?? tabVoter,
    save: (voter) => {
      tabVoter = voter;
      try {
        storage?.setItem(VOTER_KEY, voter);
      } catch {
        // Not persisted: this tab keeps its voter id in memory; a new tab gets a fresh one.
      }
    },
  };
}

function readStored(storage: KeyStorage | undefined, name: string): string | undefined {
  try {
    return storage?.getItem(name) ?? undefined;
  } catch {
    // Unreadable storage: the caller falls back to what this tab holds.
    return undefined;
  }
}
