export * from "./errors.ts";
export * from "./message.ts";
export * from "./schemas.ts";
export * from "./events.ts";
export * from "./rooms.ts";
export * from "./model-state.ts";
