/**
 * The one WebSocket of the API, `/api/events`: libvirt's domain events of every host (lifecycle,
 * reboot, devices, trays), job progress and ends, host connections going and coming, and per-VM stats
 * for the VMs a client subscribes to. Events are forwarded as they arrive (no batching); each client
 * has its own bounded queue, so a slow one is dropped and told to resync rather than holding up
 * the rest. Message shapes: ./messages.ts and docs/api.md.
 */
import type { WebSocket } from 'ws';
import { jsonReplacer } from '../../json.js';
import { Type } from 'typebox';
import { errorShape, InvalidInputError } from '../../errors.js';
import { WebSocketRequiredError } from './console-route.js';
import { ErrorBody } from '../query.js';
import type { Api, ServerContext } from '../context.js';
import { ClientQueue, DEFAULT_QUEUE_LIMITS, type QueueLimits } from './client-queue.js';
import { DomainEventFeed } from './domain-event-feed.js';
import { JobThrottle } from './job-throttle.js';
import {
  hostMessage,
  jobMessage,
  parseClientMessage,
  vmEventMessage,
  type ServerMessage,
  type SubscribeRequest,
} from './messages.js';
import { DEFAULT_SAMPLER_OPTIONS, StatsSampler, type SamplerOptions } from './stats-sampler.js';

export interface EventsOptions {
  queue?: Partial<QueueLimits>;
  sampler?: Partial<SamplerOptions>;
  /** Stats subscriptions one client may hold. */
  maxSubscriptions?: number;
}

/** What the server shares with the stream: the one domain event feed, and who wants the VM list kept warm. */
export interface SharedFeeds {
  feed: DomainEventFeed;
  /** Held while a client is connected (the VM list's stats sampling runs meanwhile); returns the release. */
  hold?: () => () => void;
}

interface Client {
  queue: ClientQueue;
  subscriptions: number;
  release?: () => void;
}

/** Requests of one client waiting for their turn (each is answered in order). */
const MAX_PENDING_REQUESTS = 100;

const encode = (m: ServerMessage) => JSON.stringify(m, jsonReplacer);

/** The clients of /api/events and what feeds them. */
export class EventStream {
  private readonly clients = new Set<Client>();
  private readonly feed: DomainEventFeed;
  /** The feed is the server's (shared), else this stream's own. */
  private readonly ownFeed: boolean;
  private readonly hold: (() => () => void) | undefined;
  private readonly sampler: StatsSampler<Client>;
  private readonly jobs: JobThrottle;
  private readonly limits: QueueLimits;
  private readonly maxSubscriptions: number;
  private started: Promise<void> | undefined;
  private readonly stops: (() => void)[] = [];

  constructor(
    private readonly ctx: ServerContext,
    opts: EventsOptions = {},
    shared?: SharedFeeds,
  ) {
    this.limits = { ...DEFAULT_QUEUE_LIMITS, ...opts.queue };
    this.maxSubscriptions = opts.maxSubscriptions ?? 64;
    this.ownFeed = shared === undefined;
    this.feed = shared?.feed ?? new DomainEventFeed();
    this.hold = shared?.hold;
    this.stops.push(this.feed.listen((host, e) => this.broadcast(vmEventMessage(host, e, new Date()))));
    this.jobs = new JobThrottle((job) => this.broadcast(jobMessage(job)));
    this.sampler = new StatsSampler<Client>(
      ctx.hosts,
      (series, sample) => {
        const text = encode({ type: 'stats', host: series.host, vm: series.vm, sample });
        for (const c of series.subscribers) c.queue.send(text);
      },
      { ...DEFAULT_SAMPLER_OPTIONS, ...opts.sampler },
    );
  }

  /** A new WebSocket: it gets `hello` once the libvirt subscriptions are in place, then events. */
  connect(socket: WebSocket): void {
    const client: Client = { queue: new ClientQueue(socket, this.limits), subscriptions: 0 };
    const ready = this.start().then(() => {
      if (socket.readyState !== socket.OPEN) return;
      client.queue.send(encode({ type: 'hello', hosts: this.ctx.hosts.list() }));
      this.clients.add(client);
      client.release = this.hold?.();
    });
    // Handlers are attached at once (a message may come before `hello`) and run after it, in order.
    let turn = ready;
    let pending = 0;
    socket.on('message', (data, isBinary) => {
      const text = isBinary ? '' : data.toString();
      if (pending >= MAX_PENDING_REQUESTS)
        return this.fail(
          client,
          undefined,
          new InvalidInputError(`More than ${MAX_PENDING_REQUESTS} requests waiting; this one was dropped.`, {
            hint: 'Wait for the answers (subscribed, unsubscribed, error) before sending more.',
          }),
        );
      pending++;
      turn = turn
        .then(() => this.request(client, text))
        .catch(() => undefined)
        .finally(() => pending--);
    });
    socket.on('close', () => {
      this.clients.delete(client);
      client.release?.();
      client.queue.close();
      this.sampler.unsubscribeAll(client);
    });
    socket.on('error', () => socket.terminate());
  }

  close(): void {
    for (const stop of this.stops) stop();
    if (this.ownFeed) this.feed.close();
    this.jobs.close();
    this.sampler.close();
    for (const c of this.clients) {
      c.release?.();
      c.queue.close();
    }
    this.clients.clear();
  }

  /** Subscribes to jobs, host changes and the connected hosts' domain events, once. */
  private start(): Promise<void> {
    this.started ??= (async () => {
      this.stops.push(this.ctx.jobs.subscribe((job) => this.jobs.report(job)));
      this.stops.push(
        this.ctx.hosts.onChange((change) => {
          this.broadcast(hostMessage(change, new Date()));
          if (change.connected) void this.feed.watch(change.id, change.lv).catch(() => undefined);
        }),
      );
      // A host down now is watched when it comes back (its change event above).
      await Promise.all(
        this.ctx.hosts.connected().map((h) => this.feed.watch(h.id, h.lv).catch(() => undefined)),
      );
    })();
    return this.started;
  }

  private broadcast(m: ServerMessage): void {
    if (this.clients.size === 0) return;
    const text = encode(m);
    for (const c of this.clients) c.queue.send(text);
  }

  private async request(client: Client, text: string): Promise<void> {
    const req = parseClientMessage(text);
    if (typeof req === 'string') return this.fail(client, undefined, new InvalidInputError(req));
    try {
      if (req.type === 'subscribe') await this.subscribe(client, req);
      else {
        const done = this.sampler.unsubscribe(req.host, req.vm, client);
        if (done) client.subscriptions--;
        const { host, vm } = done ?? { host: req.host ?? this.ctx.hosts.ids()[0] ?? '', vm: req.vm };
        client.queue.send(encode({ type: 'unsubscribed', host, vm }));
      }
    } catch (err) {
      this.fail(client, req, err);
    }
  }

  private async subscribe(client: Client, req: SubscribeRequest): Promise<void> {
    if (client.subscriptions >= this.maxSubscriptions)
      throw new InvalidInputError(`A client may watch the stats of ${this.maxSubscriptions} VMs at most.`, {
        hint: 'Unsubscribe from VMs you no longer show.',
      });
    const { host, vm, history, added } = await this.sampler.subscribe(req.host, req.vm, client);
    if (added) client.subscriptions++;
    client.queue.send(encode({ type: 'subscribed', host, vm, history }));
  }

  private fail(client: Client, request: unknown, err: unknown): void {
    client.queue.send(
      encode({ type: 'error', ...(request ? { request } : {}), error: errorShape(err).shape }),
    );
  }
}

/** Registers GET /api/events (a WebSocket; authentication and the Origin check run before the upgrade). */
export function eventsRoute(app: Api, ctx: ServerContext, shared?: SharedFeeds): void {
  const stream = new EventStream(ctx, ctx.events, shared);
  app.route({
    method: 'GET',
    url: '/api/events',
    schema: {
      summary:
        'WebSocket of live events: VM lifecycle and devices, job progress, host changes; per-VM stats on subscribe (docs/api.md)',
      tags: ['events'],
      response: { 101: Type.Null({ description: 'Switching to the WebSocket' }), '4xx': ErrorBody },
    },
    handler: async () => {
      throw new WebSocketRequiredError('/api/events');
    },
    wsHandler: (socket) => stream.connect(socket),
  });
  app.addHook('onClose', async () => stream.close());
}
