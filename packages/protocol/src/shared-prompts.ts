/**
 * Ask-once (`chat:send` with `shared`): two prompts are the same prompt when they are equal after
 * this (NFC, whitespace runs folded to one space, ends trimmed). The server keys a room's shared
 * prompts by it; a client may use it to recognise the room's answer to its prompt in a snapshot.
 */
export function normalisePrompt(text: string): string {
  return text.normalize("NFC").trim().replace(/\s+/gu, " ");
}
