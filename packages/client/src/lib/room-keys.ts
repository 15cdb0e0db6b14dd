/**
 * Room keys and this browser's client id, kept in localStorage. A key (owner or presenter) comes
 * in a link's fragment (`/r/<id>#key=K`), is remembered per room and sent with every join; the
 * client id is a stable random id sent with every join (so a reconnect cannot vote twice).
 */
const KEY_PREFIX = "tokencast:key:";
const TOKEN_PREFIX = "tokencast:token:";
const CLIENT_ID_KEY = "tokencast:client-id";
const CLIENT_ID_BYTES = 16;

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

let tabClientId: string | undefined;

/** A stable random id of this browser (`[0-9a-f]{32}`), created once and kept in storage. */
export function loadClientId(storage: KeyStorage | undefined = browserStorage()): string {
  try {
    const stored = storage?.getItem(CLIENT_ID_KEY);
    if (stored && /^[\w-]{8,64}$/.test(stored)) return stored;
  } catch {
    // Unreadable storage: fall through to a fresh id for this tab.
  }
  tabClientId ??= randomHex(CLIENT_ID_BYTES);
  try {
    storage?.setItem(CLIENT_ID_KEY, tabClientId);
  } catch {
    // Not persisted: this tab keeps its id in memory, a new tab gets another one.
  }
  return tabClientId;
}

function randomHex(bytes: number): string {
  const buffer = new Uint8Array(bytes);
  globalThis.crypto.getRandomValues(buffer);
  return [...buffer].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}
