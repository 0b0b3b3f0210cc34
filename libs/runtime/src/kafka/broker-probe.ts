import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

let correlation = 0;

/**
 * One Kafka ApiVersions round trip (API key 18, v0: a request any broker answers before authentication, so
 * it works on SASL listeners too), on a socket of its own that is always destroyed afterwards. Resolves when
 * the broker answers within `timeoutMs`; rejects when it refuses the connection, closes it, or stays silent
 * (a frozen broker's kernel still accepts connections). A raw socket rather than a kafkajs admin client: the
 * deadline is exact, nothing stays in flight after it (a kafkajs request lives until its requestTimeout and
 * retries), and the probe shares no connection state with the producer it judges.
 */
export function probeBroker(broker: string, options: { ssl: boolean; timeoutMs: number }): Promise<void> {
  const { host, port } = hostAndPort(broker);
  const id = (correlation = (correlation + 1) % 0x7fffffff);
  return new Promise((resolve, reject) => {
    const socket: Socket = options.ssl ? tlsConnect({ host, port, servername: host }) : tcpConnect({ host, port });
    let received = Buffer.alloc(0);
    let done = false;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(() => finish(new Error(`no answer from Kafka at ${broker} within ${options.timeoutMs} ms`)), options.timeoutMs);
    socket.once(options.ssl ? 'secureConnect' : 'connect', () => socket.write(apiVersionsRequest(id)));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 8) finish(received.readInt32BE(4) === id ? undefined : new Error(`unexpected answer from ${broker}`));
    });
    socket.once('error', (error) => finish(error));
    socket.once('close', () => finish(new Error(`Kafka at ${broker} closed the connection without answering`)));
  });
}

/** Size, then header v1 (api key, version, correlation id, client id) and the empty v0 body. */
function apiVersionsRequest(correlationId: number): Buffer {
  const clientId = Buffer.from('spine-probe');
  const message = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length);
  message.writeInt16BE(18, 0);
  message.writeInt16BE(0, 2);
  message.writeInt32BE(correlationId, 4);
  message.writeInt16BE(clientId.length, 8);
  clientId.copy(message, 10);
  const size = Buffer.alloc(4);
  size.writeInt32BE(message.length);
  return Buffer.concat([size, message]);
}

function hostAndPort(broker: string): { host: string; port: number } {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(broker.trim());
  if (!match) throw new Error(`KAFKA_BROKERS entry "${broker}" is not host:port`);
  return { host: match[1]!, port: Number(match[2]) };
}
