import { Type } from 'typebox';
import { quiet } from '../quiet-facts.js';
import type { Api, ServerContext } from '../context.js';
import { hostCheck } from '../../host/host-check.js';
import { hostDevices } from '../../host/devices.js';
import { hostStatus } from '../../machines/host-status.js';
import { localHost } from '../local-host.js';
import { HostQuery } from '../query.js';
import { Doc, Flag, HostOnly, replies, Strict } from '../schemas.js';

const WithRetest = Strict({
  ...HostQuery.properties,
  retest: Flag('Redo the KVM boot test instead of using the cached result (takes seconds)'),
});

/** The host: `phyllo status`, `phyllo host check`, `phyllo host devices`. */
export function hostInfoRoutes(app: Api, ctx: ServerContext): void {
  app.get(
    '/api/status',
    {
      schema: {
        summary:
          'The libvirt connection, versions, accelerators, whether KVM really works, VM counts (as `phyllo status --json`)',
        tags: ['host'],
        querystring: WithRetest,
        response: replies(
          Doc('As `phyllo status --json`', {
            uri: Type.String(),
            hostname: Type.String(),
            libvirtVersion: Type.String(),
            hypervisor: Type.Object({ type: Type.String(), version: Type.String() }),
            accelerators: Type.Array(Type.String()),
            kvm: Doc('The KVM boot-test verdict'),
            vms: Doc('VM counts: total and byState'),
          }),
        ),
      },
    },
    async (req) => {
      const { lv } = await ctx.hosts.get(req.query.host);
      return hostStatus(lv, {
        root: ctx.hostRoot ?? '/',
        ...(req.query.retest ? { retest: true } : {}),
        onProgress: quiet,
      });
    },
  );
  app.get(
    '/api/host/check',
    {
      schema: {
        summary:
          'Whether this machine is ready to run VMs: each check with its verdict (as `phyllo host check --json`); a local host only',
        tags: ['host'],
        querystring: WithRetest,
        response: replies(
          Doc('As `phyllo host check --json`', {
            verdict: Type.String(),
            checks: Type.Array(Doc('One check: id, status, summary, fix')),
            host: Doc('The facts the checks read'),
          }),
        ),
      },
    },
    async (req) => {
      localHost(ctx, req.query.host, 'host check');
      return hostCheck({ root: ctx.hostRoot ?? '/', retest: req.query.retest === true, onProgress: quiet });
    },
  );
  app.get(
    '/api/host/devices',
    {
      schema: {
        summary:
          'IOMMU groups, USB devices and GPUs with passthrough verdicts (as `phyllo host devices --json`); a local host only',
        tags: ['host'],
        querystring: HostOnly,
        response: replies(
          Doc('As `phyllo host devices --json`', {
            iommu: Doc('Whether the IOMMU is on'),
            groups: Type.Array(Doc('An IOMMU group and its verdict')),
            usb: Type.Array(Doc('A USB device')),
            gpus: Type.Array(Doc('A GPU')),
          }),
        ),
      },
    },
    async (req) => {
      localHost(ctx, req.query.host, 'host devices');
      return hostDevices({ root: ctx.hostRoot ?? '/' });
    },
  );
}
