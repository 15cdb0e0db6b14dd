/** The zod side of the text rules: one schema for questions, one builder for names and titles. */
import { z } from "zod";
import { hasLoneSurrogate, hasVisibleText, normaliseDisplayText } from "./text-rules.ts";

const wellFormed = (text: string) => !hasLoneSurrogate(text);

/**
 * A question (chat:send, queue:submit): trimmed, with something visible in it, no lone surrogate.
 * Its length is checked by the server against its configured limit (`text_too_long`).
 */
export const questionTextSchema = z
  .string()
  .trim()
  .min(1, "text is empty")
  .refine(wellFormed, "text contains a lone surrogate (not valid Unicode)")
  .refine(hasVisibleText, "text shows nothing: only whitespace, zero-width or control characters");

/**
 * A display name or a room title, normalised (see `normaliseDisplayText`): 1..maxLength
 * characters after that, no lone surrogate.
 */
export function displayTextSchema(maxLength: number, what: string) {
  return z
    .string()
    .refine(wellFormed, `${what} contains a lone surrogate (not valid Unicode)`)
    .transform(normaliseDisplayText)
    .pipe(z.string().min(1, `${what} is empty`).max(maxLength, `${what} is longer than ${maxLength} characters`));
}
