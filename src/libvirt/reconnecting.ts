/**
 * A connection that comes back: when the daemon goes away it redials with exponential backoff,
 * re-registers event subscriptions, and emits 'reconnected'. Calls made while disconnected (and
 * calls in flight when the drop happened) fail with ConnectionClosedError; they are never
 * replayed, because libvirt calls are not generally idempotent.
 */
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ClientOptions, type RpcCaller, RpcClient } from './client.js';
import type { Dialer } from './dialers/dialer.js';
import { ConnectionClosedError } from './errors.js';
import { EventHub } from './events.js';
import { NodeDeviceEventHub } from './node-device-events.js';
import type { ProcedureDef } from './procedures.js';
import type { RpcStream, StreamOptions } from './streams.js';

export interface ReconnectOptions extends ClientOptions {
  /** First delay before redialling (default 100 ms); doubles up to `maxDelayMs` (default 5 s). */
  initialDelayMs?: number;
  maxDelayMs?: number;
}

export class ReconnectingClient extends EventEmitter implements RpcCaller {
  readonly events = new EventHub();
  readonly nodeDeviceEvents = new NodeDeviceEventHub();
  private current: RpcClient | undefined;
  private stopped = false;
  private reconnecting: Promise<void> | undefined;

  private constructor(
    private readonly dialer: Dialer,
    private readonly opts: ReconnectOptions,
  ) {
    super();
  }

  static async connect(dialer: Dialer, opts: ReconnectOptions = {}): Promise<ReconnectingClient> {
    const rc = new ReconnectingClient(dialer, opts);
    await rc.adopt(await RpcClient.connect(dialer, opts));
    return rc;
  }

  /** The live connection, if any. */
  get client(): RpcClient | undefined {
    return this.current;
  }

  get connected(): boolean {
    return this.current !== undefined && !this.current.isClosed;
  }

  call<A, R>(def: ProcedureDef<A, R>, args: A): Promise<R> {
    return this.live().call(def, args);
  }

  openStream<A, R>(
    def: ProcedureDef<A, R>,
    args: A,
    options?: StreamOptions,
  ): Promise<{ ret: R; stream: RpcStream }> {
    return this.live().openStream(def, args, options);
  }

  flush(): void {
    this.current?.flush();
  }

  /** Resolves at the next successful reconnection. */
  waitForReconnect(): Promise<void> {
    return new Promise((resolve) => this.once('reconnected', () => resolve()));
  }

  async close(): Promise<void> {
    this.stopped = true;
    this.events.closeAll();
    this.nodeDeviceEvents.closeAll();
    await this.current?.close();
  }

  private live(): RpcClient {
    const c = this.current;
    if (!c || c.isClosed)
      throw new ConnectionClosedError('Not connected to libvirt right now; reconnecting.');
    return c;
  }

  private async adopt(client: RpcClient): Promise<void> {
    this.current = client;
    client.once('close', (err: Error) => {
      if (this.current !== client) return;
      this.current = undefined;
      this.events.detach();
      this.nodeDeviceEvents.detach();
      if (this.stopped) return;
      this.emit('disconnected', err);
      this.reconnecting ??= this.reconnectLoop().finally(() => (this.reconnecting = undefined));
    });
    await this.events.attach(client);
    await this.nodeDeviceEvents.attach(client);
  }

  private async reconnectLoop(): Promise<void> {
    let delay = this.opts.initialDelayMs ?? 100;
    const max = this.opts.maxDelayMs ?? 5000;
    let attempt = 0;
    while (!this.stopped) {
      await sleep(delay);
      if (this.stopped) return;
      attempt++;
      try {
        const client = await RpcClient.connect(this.dialer, this.opts);
        if (this.stopped) {
          await client.close();
          return;
        }
        await this.adopt(client);
        this.emit('reconnected', { attempt });
        return;
      } catch (err) {
        this.emit('reconnect-failed', { attempt, error: err });
        delay = Math.min(max, delay * 2);
      }
    }
  }
}
