import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpException } from '@nestjs/common';
import { bodyLimitFromEnv, MAX_JSON_DEPTH, readJsonBody } from './json-body.js';

// A real HTTP server in front of readJsonBody: what it answers for each kind of body.
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    readJsonBody(request as typeof request & { body?: unknown }, 1_024).then(
      () => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ body: (request as { body?: unknown }).body ?? '(none)' })),
      (error: HttpException) => response.writeHead(error.getStatus()).end(JSON.stringify(error.getResponse())),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const post = async (body: string | Uint8Array | undefined, headers: Record<string, string> = { 'content-type': 'application/json' }) => {
  const response = await fetch(url, { method: 'POST', headers, ...(body === undefined ? {} : { body }) });
  return { status: response.status, json: (await response.json()) as { body?: unknown; message?: string } };
};

describe('readJsonBody', () => {
  it('parses UTF-8 JSON (any +json type, with or without charset, BOM dropped) and leaves an empty body undefined', async () => {
    expect(await post('{"a":[1,"é"]}')).toEqual({ status: 200, json: { body: { a: [1, 'é'] } } });
    expect((await post('{"a":1}', { 'content-type': 'application/vnd.spine+json; charset=UTF-8' })).json.body).toEqual({ a: 1 });
    expect((await post(new Uint8Array([0xef, 0xbb, 0xbf, ...Buffer.from('[true]')]))).json.body).toEqual([true]);
    expect((await post(undefined)).json.body).toBe('(none)');
    expect((await post('   ')).json.body).toBe('(none)');
  });

  it.each([
    ['another content type', 'a=b', { 'content-type': 'application/x-www-form-urlencoded' }, 415, /application\/json/],
    ['no content type', new Uint8Array(Buffer.from('{}')), {}, 415, /\(none\)/],
    ['another charset', '{}', { 'content-type': 'application/json; charset=iso-8859-1' }, 415, /UTF-8/],
    ['a content encoding', '{}', { 'content-type': 'application/json', 'content-encoding': 'gzip' }, 415, /uncompressed/],
    ['invalid JSON', '{"a":', undefined, 400, /not valid JSON/],
    ['invalid UTF-8', new Uint8Array([0x22, 0xc3, 0x28, 0x22]), undefined, 400, /UTF-8/],
    ['a lone surrogate', '{"a":"\\ud800"}', undefined, 400, /surrogate/],
    ['a lone surrogate in a key', '{"\\udc00":1}', undefined, 400, /surrogate/],
    ['nesting too deep', `${'['.repeat(MAX_JSON_DEPTH + 1)}${']'.repeat(MAX_JSON_DEPTH + 1)}`, undefined, 400, /nested deeper/],
    ['a body over the limit', JSON.stringify({ a: 'x'.repeat(2_000) }), undefined, 413, /larger than 1024 bytes/],
  ])('refuses %s', async (_, body, headers, status, message) => {
    const answer = await post(body, headers ?? { 'content-type': 'application/json' });
    expect(answer.status).toBe(status);
    expect(answer.json.message).toMatch(message);
  });

  it('accepts nesting up to the limit', async () => {
    expect((await post(`${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`)).status).toBe(200);
  });

  it('refuses a streamed (chunked) body once it passes the limit', async () => {
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 10; i++) controller.enqueue(new Uint8Array(512).fill(0x20));
        controller.close();
      },
    });
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: stream, duplex: 'half' } as RequestInit);
    expect(response.status).toBe(413);
  });

  it('reads SPINE_HTTP_BODY_LIMIT with units', () => {
    expect(bodyLimitFromEnv({})).toBe(5 * 1024 * 1024);
    expect(bodyLimitFromEnv({ SPINE_HTTP_BODY_LIMIT: '512kb' })).toBe(512 * 1024);
    expect(bodyLimitFromEnv({ SPINE_HTTP_BODY_LIMIT: '1000' })).toBe(1000);
    expect(() => bodyLimitFromEnv({ SPINE_HTTP_BODY_LIMIT: 'lots' })).toThrow(/SPINE_HTTP_BODY_LIMIT/);
  });
});
