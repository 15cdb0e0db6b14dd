export * from "./errors.ts";
export * from "./message.ts";
export * from "./schemas.ts";
export * from "./events.ts";
export * from "./rooms.ts";
export * from "./model-state.ts";
export * from "./text-rules.ts";
export * from "./text-schemas.ts";
