import { Type } from 'typebox';
import { measureOverhead } from '../../host/overhead.js';
import { vmCounters } from '../../machines/vm-counters.js';
import type { Api, ServerContext } from '../context.js';
import { metricFamilies } from '../metrics.js';
import { OPENMETRICS_CONTENT_TYPE, renderOpenMetrics } from '../openmetrics.js';
import { Doc, replies } from '../schemas.js';

/** How long /metrics watches CPU use for the host's overhead gauges. */
const METRICS_SAMPLE_MS = 250;

export function hostOverheadRoutes(app: Api, ctx: ServerContext): void {
  app.get(
    '/api/host/overhead',
    {
      schema: {
        summary:
          'What this host costs its guests: memory and CPU of the host OS, libvirt and its helpers, phyllo serve itself; what is left for guests; services a headless host may not need (as `phyllo host overhead --json`)',
        tags: ['host'],
        querystring: Type.Object({
          sample: Type.Optional(
            Type.Integer({ minimum: 0, maximum: 10_000, description: 'CPU sample, ms (default 500)' }),
          ),
        }),
        response: replies(Doc('As `phyllo host overhead --json`')),
      },
    },
    async (req) =>
      measureOverhead({
        ...(ctx.hostRoot ? { root: ctx.hostRoot } : {}),
        self: [process.pid],
        ...(req.query.sample === undefined ? {} : { sampleMs: req.query.sample }),
      }),
  );
  app.get(
    '/metrics',
    {
      schema: {
        summary:
          'OpenMetrics for Prometheus: per-VM CPU, memory, disk and network counters of every host, and this host’s overhead',
        tags: ['metrics'],
        produces: [OPENMETRICS_CONTENT_TYPE],
        response: replies(Type.String()),
      },
    },
    async (_req, reply) => {
      const [vms, overhead] = await Promise.all([
        Promise.all(
          ctx.hosts
            .connected()
            .filter((h) => h.lv.connected)
            .map(async (h) => ({ host: h.id, counters: await vmCounters(h.lv) })),
        ),
        measureOverhead({ self: [process.pid], sampleMs: METRICS_SAMPLE_MS }),
      ]);
      return reply
        .type(OPENMETRICS_CONTENT_TYPE)
        .serializer((s: unknown) => String(s))
        .send(renderOpenMetrics(metricFamilies(vms, overhead)));
    },
  );
}
