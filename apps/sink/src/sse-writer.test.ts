import { createServer, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { SseWriter } from './sse-writer.js';

// A real HTTP server and a real TCP client that stops reading: backpressure is the kernel's and Node's, not a stub's.
let server: Server;
let nextResponse: (res: ServerResponse) => void;

beforeAll(async () => {
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    nextResponse(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function slowClient(): { socket: Socket; received: () => string } {
  const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
  socket.write('GET /stream HTTP/1.1\r\nhost: x\r\n\r\n');
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  socket.pause(); // takes nothing until resumed
  return { socket, received: () => text };
}

describe('SseWriter', () => {
  it('waits for a client that stops reading instead of buffering, then delivers everything in order', async () => {
    const response = new Promise<ServerResponse>((resolve) => (nextResponse = resolve));
    const client = slowClient();
    const writer = new SseWriter(await response, 30_000);
    const payload = 'x'.repeat(16 * 1024);
    const total = 2_000; // 32 MB: far more than the socket buffers hold
    let written = 0;
    const producer = (async () => {
      for (let i = 0; i < total; i++) {
        if (!(await writer.event({ id: String(i), event: 'result', data: payload }))) throw new Error('client gone');
        written = i + 1;
      }
    })();
    await sleep(500);
    const stuckAt = written;
    await sleep(300);
    expect(written).toBe(stuckAt); // the producer waits on 'drain'...
    expect(writer.behind).toBe(true);
    expect(stuckAt).toBeLessThan(total / 2); // ...long before it would have queued everything
    writer.comment('heartbeat'); // skipped while behind: it would only add to the buffer
    client.socket.resume();
    await producer;
    await sleep(100);
    const ids = [...client.received().matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    expect(ids).toEqual(Array.from({ length: total }, (_, i) => i));
    expect(client.received()).not.toContain(': heartbeat');
    client.socket.destroy();
  });

  it('drops a client that stays stalled past the stall timeout', async () => {
    const response = new Promise<ServerResponse>((resolve) => (nextResponse = resolve));
    const client = slowClient();
    const res = await response;
    const writer = new SseWriter(res, 300);
    let ok = true;
    for (let i = 0; i < 5_000 && ok; i++) ok = await writer.event({ data: 'y'.repeat(16 * 1024) });
    expect(ok).toBe(false);
    expect(writer.closed).toBe(true);
    expect(await writer.event({ data: 'after' })).toBe(false);
    client.socket.destroy();
  });

  it('frames multi-line data as one event per the SSE format', async () => {
    const response = new Promise<ServerResponse>((resolve) => (nextResponse = resolve));
    const client = slowClient();
    client.socket.resume();
    const res = await response;
    const writer = new SseWriter(res, 1_000);
    await writer.event({ id: '7', event: 'result', data: 'a\nb' });
    writer.comment('heartbeat');
    res.end();
    await sleep(100);
    expect(client.received()).toContain('id: 7\nevent: result\ndata: a\ndata: b\n\n'); // one chunk per write (chunked encoding)
    expect(client.received()).toContain(': heartbeat\n\n');
    client.socket.destroy();
  });
});
