/**
 * Rules for text people type, shared by every schema that takes it: a question must show
 * something, a name or title is normalised before it is used. Pure functions (no zod), so the
 * client and the embed use them without pulling in a schema library.
 */

/** A high surrogate without a low one after it, or a low one without a high one before it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * What renders as nothing: whitespace, control and format characters (zero-width space, joiners,
 * word joiner, BOM, bidi marks…), the other default-ignorable ones (Hangul fillers, variation
 * selectors, tags) and the blank Braille pattern people paste as "invisible text".
 */
const INVISIBLE = "\\p{White_Space}\\p{Cc}\\p{Cf}\\p{Default_Ignorable_Code_Point}\\u2800";
const VISIBLE_CHARACTER = new RegExp(`[^${INVISIBLE}]`, "u");
const CONTROL_CHARACTERS = /\p{Cc}/gu;
const INVISIBLE_AT_ENDS = new RegExp(`^[${INVISIBLE}]+|[${INVISIBLE}]+$`, "gu");

/** True when the text holds a UTF-16 surrogate that is not half of a pair (it cannot be encoded as UTF-8). */
export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

/** True when at least one character would show (not only whitespace, zero-width or control characters). */
export function hasVisibleText(text: string): boolean {
  return VISIBLE_CHARACTER.test(text);
}

/**
 * A display name or title as the server keeps it: NFC, no control characters (line breaks and
 * tabs included), no invisible characters at either end. Characters inside stay (a zero-width
 * joiner inside an emoji sequence or a name is meaningful). May return "" (the caller refuses it).
 * Text with lone surrogates is refused before this (see `hasLoneSurrogate`).
 */
export function normaliseDisplayText(text: string): string {
  return text.normalize("NFC").replace(CONTROL_CHARACTERS, "").replace(INVISIBLE_AT_ENDS, "");
}
