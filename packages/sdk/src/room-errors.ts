/** The errors a room's async iterations end with (requests throw `RequestError`, see socket-request.ts). */
import type { ErrorCode, Message } from "@tokencast/protocol";
import { RequestError } from "./socket-request.ts";

/** The connection closed (by `close()`, or for good) while something still waited on the room. */
export function roomClosedError(): RequestError {
  const message = "The room connection closed before this was over.";
  return new RequestError({ code: "not_in_room", message }, true);
}

/** An answer that ended in failure (`error` or `interrupted`); the text it got was delivered before. */
export class AnswerError extends Error {
  readonly code: ErrorCode;

  constructor(readonly answer: Message) {
    // An interrupted answer lost the node that ran it; the server sends no error payload then.
    const error = answer.error ?? { code: "owner_lost", message: "The answer was interrupted." };
    super(error.message);
    this.name = "AnswerError";
    this.code = error.code;
  }
}

/** The error an answer's final state means, if it failed. */
export function answerFailure(answer: Message): AnswerError | undefined {
  return answer.status === "error" || answer.status === "interrupted" ? new AnswerError(answer) : undefined;
}
