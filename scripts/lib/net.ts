import net from 'node:net';

/** Resolves to undefined when a TCP connection opens, else to the reason it did not. */
export function probeTcp(host: string, port: number, timeoutMs = 3_000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: host.replace(/^\[|\]$/g, ''), port });
    const done = (reason?: string) => {
      socket.destroy();
      resolve(reason);
    };
    socket.setTimeout(timeoutMs, () => done(`no answer within ${timeoutMs / 1000}s`));
    socket.once('connect', () => done());
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
  });
}
