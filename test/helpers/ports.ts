import { createServer } from 'node:net';

/**
 * Ports for real servers on loopback (the server tests and bench:real), below Linux's ephemeral
 * range (32768-60999): a port the kernel handed out once (port 0) can be taken as the local port
 * of any outgoing connection (a load client's, a member's peer link) before the member binds it,
 * and the member then fails to start. Each vitest worker draws from its own slice of the range,
 * so test files running side by side do not pick the same port.
 */
const RANGE = { from: 20_000, to: 32_000 };
const SLICES = 8;

function slice(): { from: number; size: number } {
  const size = Math.floor((RANGE.to - RANGE.from) / SLICES);
  const index = Number(process.env.VITEST_POOL_ID ?? 0) % SLICES;
  return { from: RANGE.from + index * size, size };
}

/** `count` distinct ports that nothing listens on right now. */
export async function freePorts(count: number): Promise<number[]> {
  const { from, size } = slice();
  const ports = new Set<number>();
  while (ports.size < count) {
    const port = from + Math.floor(Math.random() * size);
    if (!ports.has(port) && (await canListen(port))) ports.add(port);
  }
  return [...ports];
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
