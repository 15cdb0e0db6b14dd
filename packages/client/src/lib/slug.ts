/** Random readable room ids like `brave-otter-42`. */
const ADJECTIVES = [
  "brave",
  "calm",
  "clever",
  "cosy",
  "eager",
  "gentle",
  "happy",
  "jolly",
  "keen",
  "lively",
  "lucky",
  "mellow",
  "nimble",
  "proud",
  "quick",
  "quiet",
  "sunny",
  "swift",
  "tidy",
  "witty",
] as const;
const ANIMALS = [
  "otter",
  "badger",
  "falcon",
  "heron",
  "koala",
  "lynx",
  "marmot",
  "newt",
  "owl",
  "panda",
  "puffin",
  "quokka",
  "raven",
  "seal",
  "stoat",
  "tapir",
  "walrus",
  "wombat",
  "yak",
  "zebra",
] as const;

/** `random` returns a float in [0, 1) (crypto-backed by default). Readable, not secret. */
export function randomRoomSlug(random: () => number = cryptoRandom): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const number = 10 + Math.floor(random() * 90);
  return `${pick(ADJECTIVES)}-${pick(ANIMALS)}-${number}`;
}

function cryptoRandom(): number {
  const buffer = new Uint32Array(1);
  globalThis.crypto.getRandomValues(buffer);
  return (buffer[0] ?? 0) / 2 ** 32;
}
