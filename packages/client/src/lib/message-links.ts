/**
 * Links to one message: `/r/<id>#m=<messageId>`. The fragment may also carry a room key or token
 * (`#key=K&m=M`): the router takes those out of the address (lib/router.svelte.ts) and keeps the
 * rest, so a shared answer link still scrolls to its answer after the key was taken.
 */
import { roomPath } from "./routes.ts";

const MESSAGE_PARAM = "m";
/** Fragment parameters that are credentials: never left in the address bar. */
const CREDENTIAL_PARAMS = ["key", "token"];
const MESSAGE_ID = /^[\w-]{1,64}$/;

/** The message a fragment links to (`#m=<id>`, also among other parameters), if any and well-formed. */
export function messageFromHash(hash: string): string | undefined {
  const id = new URLSearchParams(hash.replace(/^#/, "")).get(MESSAGE_PARAM)?.trim();
  return id && MESSAGE_ID.test(id) ? id : undefined;
}

/** The fragment without its credentials (`#key=K&m=M` → `#m=M`); "" when nothing else is left. */
export function hashWithoutCredentials(hash: string): string {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  for (const name of CREDENTIAL_PARAMS) params.delete(name);
  const rest = params.toString();
  return rest ? `#${rest}` : "";
}

/** The shareable link to one message of a room (no credentials: the room decides who may see it). */
export function messageLink(origin: string, roomId: string, messageId: string): string {
  return `${origin}${roomPath(roomId)}#${MESSAGE_PARAM}=${encodeURIComponent(messageId)}`;
}
