/**
 * A minimal layer-4 load balancer for tests: each new TCP connection goes to the next backend
 * in round-robin order, skipping backends that refuse the connection (a killed or draining
 * node). WebSocket-only Socket.IO clients need no stickiness, so viewers behind it spread over
 * the nodes and, when their node dies, reconnect to a live one — as behind a real balancer.
 */
import { connect, createServer, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

export interface TcpBalancer {
  url: string;
  /** Which backend (index) each accepted connection went to, in order. */
  routed: number[];
  close(): Promise<void>;
}

export async function startTcpBalancer(backendPorts: number[]): Promise<TcpBalancer> {
  let next = 0;
  const open = new Set<Socket>();
  const routed: number[] = [];
  const server = createServer((client) => {
    open.add(client);
    client.on("close", () => open.delete(client));
    client.pause();
    const first = next++ % backendPorts.length;
    pipeToFirstLive(client, backendPorts, first, 0, open, routed);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    routed,
    close: () =>
      new Promise((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function pipeToFirstLive(
  client: Socket,
  ports: number[],
  first: number,
  tried: number,
  open: Set<Socket>,
  routed: number[],
): void {
  if (tried >= ports.length || client.destroyed) {
    client.destroy();
    return;
  }
  const index = (first + tried) % ports.length;
  const upstream = connect(ports[index]!, "127.0.0.1");
  let connected = false;
  open.add(upstream);
  upstream.once("error", () => {
    open.delete(upstream);
    if (connected) client.destroy();
    else pipeToFirstLive(client, ports, first, tried + 1, open, routed);
  });
  upstream.once("connect", () => {
    connected = true;
    routed.push(index);
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
    client.on("close", () => upstream.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  });
}
