import { createServer, type Server, type Socket } from 'node:net';
import { RegistryClient } from './registry-client.js';
import { RegistryUnavailableError } from './errors.js';

// A registry that accepts connections and never answers (a stalled JVM, a lock held in its database): every call
// must fail as "registry unavailable" instead of holding the record (and the stage's shutdown) for good.
describe('registry client against a registry that never answers', () => {
  let server: Server;
  const sockets = new Set<Socket>();
  let url: string;

  beforeAll(async () => {
    server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('fails a schema look-up by id (the decode path) with RegistryUnavailableError', async () => {
    const client = new RegistryClient({ url, timeoutMs: 200 });
    const error = await client.schemaById(1).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryUnavailableError);
    expect((error as Error).message).toMatch(/schema registry lookup of id 1 failed: .*Timeout \(200ms\)/);
  }, 10_000);

  it('fails an admin call (latest version of a subject) the same way', async () => {
    const client = new RegistryClient({ url, timeoutMs: 200 });
    const error = await client.latestSchema('some-subject').then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryUnavailableError);
  }, 10_000);
});
