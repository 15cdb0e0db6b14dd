#!/usr/bin/env node
/**
 * Joins a Tokencast room as a viewer and prints every answer as it streams, under its question.
 *
 *   npm install @tokencast/sdk
 *   node print-answers.mjs [server-url] [room-id] [name]
 *
 * The arguments default to TOKENCAST_URL, TOKENCAST_ROOM and TOKENCAST_NAME; an invitation
 * token (a room's `#token=` link) goes in TOKENCAST_TOKEN. Ctrl-C leaves the room.
 */
import { connectRoom } from "@tokencast/sdk";

const { env, argv } = process;
const url = argv[2] ?? env.TOKENCAST_URL ?? "http://localhost:3000";
const roomId = argv[3] ?? env.TOKENCAST_ROOM ?? "lobby";
const name = argv[4] ?? env.TOKENCAST_NAME ?? "printer";

const room = await connectRoom(url, { roomId, name, role: "viewer", token: env.TOKENCAST_TOKEN });
console.error(`Joined ${roomId} on ${url} as ${name}. Waiting for answers (Ctrl-C to leave).`);
room.on("error", (error) => console.error(`[${error.code}] ${error.message}`));
process.on("SIGINT", () => room.close());

for await (const answer of room.answers()) {
  const question = answer.replyTo && room.getMessage(answer.replyTo);
  process.stdout.write(`\n> ${question ? `${question.author}: ${question.text}` : "(an earlier question)"}\n`);
  try {
    for await (const chunk of room.answer(answer.id)) process.stdout.write(chunk);
    process.stdout.write(`\n[${room.getMessage(answer.id)?.status}]\n`);
  } catch (error) {
    process.stdout.write(`\n[${error.code}: ${error.message}]\n`);
  }
}
