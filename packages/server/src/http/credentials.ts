/**
 * What an HTTP request proves about its holder: a signed room token (`Authorization: Bearer`,
 * or `?token=`) and/or a room key (`X-Room-Key`).
 */
import type { Request } from "express";
import type { Credentials } from "../core/room-service.ts";

export function credentialsOf(req: Request): Credentials {
  const query = (req.query as Record<string, unknown>).token;
  const token =
    bearerToken(req.get("authorization")) ?? (typeof query === "string" && query !== "" ? query : undefined);
  const key = req.get("x-room-key");
  return { token, key: key === undefined || key === "" ? undefined : key };
}

export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return match?.[1];
}
