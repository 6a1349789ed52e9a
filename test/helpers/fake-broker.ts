/**
 * An in-process TCP server that speaks just enough of the Kafka protocol to stage faults a real
 * broker cannot produce on demand: split and packed frames, late or missing answers, absurd
 * sizes, wrong correlation ids, a close mid-request. Used in addition to the real broker.
 *
 * It answers ApiVersions itself (v3 body, or the v0 UNSUPPORTED_VERSION fallback when asked for
 * a version above `apiVersionsMax`); every other request goes to `onRequest`.
 */
import * as net from 'node:net';
import { Reader } from '../../src/protocol/reader.js';
import { Writer } from '../../src/protocol/writer.js';

export interface FakeRequest {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  socket: net.Socket;
  /** Writes a response frame: correlation id, optional header tagged fields, then `body`. */
  reply(body: Buffer, opts?: { flexibleHeader?: boolean; correlationId?: number }): void;
}

export interface FakeBrokerOptions {
  /** Highest ApiVersions version it accepts (higher ones get the v0 fallback). */
  apiVersionsMax?: number;
  /** API keys and ranges it announces. */
  apis?: { apiKey: number; min: number; max: number }[];
  onRequest?: (req: FakeRequest) => void;
}

export class FakeBroker {
  readonly server: net.Server;
  readonly sockets = new Set<net.Socket>();
  readonly requests: { apiKey: number; apiVersion: number }[] = [];
  port = 0;

  constructor(private readonly options: FakeBrokerOptions = {}) {
    this.server = net.createServer((socket) => this.onSocket(socket));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private onSocket(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4) {
        const size = pending.readInt32BE(0);
        if (pending.length < 4 + size) break;
        const frame = pending.subarray(4, 4 + size);
        pending = pending.subarray(4 + size);
        this.onFrame(socket, frame);
      }
    });
  }

  private onFrame(socket: net.Socket, frame: Buffer): void {
    const r = new Reader(frame);
    const apiKey = r.int16();
    const apiVersion = r.int16();
    const correlationId = r.int32();
    const clientId = r.nullableString(false);
    this.requests.push({ apiKey, apiVersion });
    const req: FakeRequest = {
      apiKey,
      apiVersion,
      correlationId,
      clientId,
      socket,
      reply(body, opts = {}) {
        const w = new Writer();
        w.int32(0).int32(opts.correlationId ?? correlationId);
        if (opts.flexibleHeader) w.uvarint(0);
        w.raw(body);
        w.setInt32(0, w.pos - 4);
        socket.write(w.toBuffer());
      },
    };
    if (apiKey === 18) {
      req.reply(this.apiVersionsBody(apiVersion));
      return;
    }
    this.options.onRequest?.(req);
  }

  private apiVersionsBody(version: number): Buffer {
    const max = this.options.apiVersionsMax ?? 4;
    const apis = this.options.apis ?? [
      { apiKey: 18, min: 0, max },
      { apiKey: 3, min: 0, max: 12 },
    ];
    const w = new Writer();
    if (version > max) {
      // KIP-511: unknown version → v0 body with UNSUPPORTED_VERSION and our key list.
      w.int16(35).int32(apis.length);
      for (const a of apis) w.int16(a.apiKey).int16(a.min).int16(a.max);
      return w.toBuffer();
    }
    const flexible = version >= 3;
    w.int16(0).arrayLength(apis.length, flexible);
    for (const a of apis) {
      w.int16(a.apiKey).int16(a.min).int16(a.max);
      if (flexible) w.uvarint(0);
    }
    if (version >= 1) w.int32(0);
    if (flexible) w.uvarint(0);
    return w.toBuffer();
  }
}
