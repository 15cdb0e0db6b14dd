import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeRoomServer, until } from "@tokencast/sdk/testing/fake-room-server";
import { EmbedConnection } from "./embed-connection.ts";

let server: FakeRoomServer;
const open: EmbedConnection[] = [];

beforeEach(async () => {
  server = await new FakeRoomServer().start();
});

afterEach(async () => {
  for (const connection of open.splice(0)) connection.close();
  await server.stop();
});

async function live(token?: string): Promise<EmbedConnection> {
  const connection = new EmbedConnection({ server: server.url, roomId: server.roomId, name: "Guest", token });
  open.push(connection);
  connection.connect();
  await until(() => connection.state === "live", "the element's connection to be live");
  return connection;
}

describe("EmbedConnection", () => {
  it("joins as a participant and passes the element's token", async () => {
    await live("t0ken");
    expect(server.joinPayloads).toEqual([{ roomId: server.roomId, name: "Guest", role: "participant", token: "t0ken" }]);
  });

  it("sends no token field when the element has none", async () => {
    await live();
    expect(server.joinPayloads[0]).toEqual({ roomId: server.roomId, name: "Guest", role: "participant" });
  });
});
