/**
 * The built-in demo model's answers: plausible Markdown about the question and about Tokencast
 * itself, varied deterministically by the question, split into word-sized tokens.
 */

const OPENERS = [
  "Good question! Here is how I would think about",
  "Let's break down",
  "Here is a short answer about",
  "A few thoughts on",
];

const POINTS = [
  "Every person in this room sees the same answer, token by token, at the same moment.",
  "A viewer who joins late gets the text so far, then the rest as it streams.",
  "If your connection drops, the answer picks up exactly where it left off.",
  "Anyone in the room can stop an answer; the partial text is kept.",
  "Tokens are batched every few milliseconds, so a large audience costs little.",
  "One request goes to the model per answer, however many people watch.",
];

const SNIPPETS = [
  "```sh\nLLM_BASE_URL=http://localhost:8080 LLM_MODEL=your-model pnpm start\n```",
  "```sh\ncurl http://localhost:8080/v1/models   # what your LocalAI serves\n```",
  '```ts\nsocket.emit("chat:send", { roomId, text }, (ack) => console.log(ack));\n```',
];

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

function pick<T>(items: readonly T[], seed: number, offset = 0): T {
  return items[(seed + offset) % items.length]!;
}

export function demoAnswer(question: string): string {
  const topic = question.trim().replace(/\s+/g, " ").slice(0, 80) || "your question";
  const seed = hash(topic);
  const points = [0, 1, 2].map((i) => `- ${pick(POINTS, seed, i * 2)}`).join("\n");
  return [
    `**${pick(OPENERS, seed)} "${topic}".**`,
    "",
    "I am Tokencast's built-in **demo model**, not a real LLM, so I cannot really answer it. " +
      "Point Tokencast at LocalAI or any OpenAI-compatible server by setting `LLM_BASE_URL`, " +
      "and a real model will answer here instead.",
    "",
    "Meanwhile, this is what the room does for you:",
    "",
    points,
    "",
    pick(SNIPPETS, seed),
    "",
    `Open this room in a second window and ask again: both windows will show the answer growing together.`,
  ].join("\n");
}

/** Word-sized pieces whose concatenation is exactly `text`. */
export function tokenize(text: string): string[] {
  return text.match(/\s*[^\s]+|\s+/g) ?? [];
}
