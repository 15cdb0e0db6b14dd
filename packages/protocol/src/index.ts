export * from "./errors.ts";
export * from "./message.ts";
export * from "./schemas.ts";
export * from "./events.ts";
