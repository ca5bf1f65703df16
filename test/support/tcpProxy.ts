import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP forwarder on a fixed local port that a test can open and close, to make a real
 * PostgreSQL unreachable and reachable again without touching the server itself.
 */
export function tcpProxy(listenPort: number, targetHost: string, targetPort: number) {
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  return {
    async open(): Promise<void> {
      server = createServer((client) => {
        const upstream = connect(targetPort, targetHost);
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          socket.on('error', () => socket.destroy());
        }
        client.pipe(upstream).pipe(client);
      });
      await new Promise<void>((resolve, reject) =>
        server!.once('error', reject).listen(listenPort, '127.0.0.1', resolve),
      );
    },
    /** Stops listening and cuts every open connection, as a server crash would. */
    async close(): Promise<void> {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      server = undefined;
    },
  };
}
