/**
 * The soak's answers: self-describing text, so a viewer can check an answer exactly without
 * knowing the question. The question says how many tokens at what rate; the answer is a header
 * naming its seed and length, numbered words, and an end mark. Any lost, repeated or reordered
 * delta makes the text differ from expectedText(header).
 */

export interface AnswerPlan {
  seed: number;
  tokens: number;
  tokensPerSecond: number;
}

export function question(plan: AnswerPlan): string {
  return `soak ${plan.seed} ${plan.tokens} ${plan.tokensPerSecond}`;
}

export function parseQuestion(text: string): AnswerPlan | undefined {
  const match = /soak (\d+) (\d+) (\d+)\s*$/.exec(text);
  if (!match) return undefined;
  return { seed: Number(match[1]), tokens: Number(match[2]), tokensPerSecond: Number(match[3]) };
}

/** The tokens the upstream writes, in order. */
export function answerTokens(seed: number, tokens: number): string[] {
  const words = Array.from({ length: tokens }, (_, i) => `w${(seed + i) % 1000}.${i} `);
  return [`[s${seed} n${tokens}] `, ...words, "[end]"];
}

/** The exact text an answer must have, from its own header; undefined when the header is gone. */
export function expectedText(text: string): string | undefined {
  const match = /^\[s(\d+) n(\d+)\] /.exec(text);
  if (!match) return undefined;
  return answerTokens(Number(match[1]), Number(match[2])).join("");
}
