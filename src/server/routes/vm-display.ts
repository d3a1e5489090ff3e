import { Type } from 'typebox';
import type { Api, ServerContext } from '../context.js';
import { diagnoseVm } from '../../machines/diagnose-vm.js';
import { findVm } from '../../machines/find-vm.js';
import { captureScreen } from '../../machines/screenshot-vm.js';
import { vmDisplay } from '../../machines/vm-display.js';
import { ErrorBody, VmParams } from '../query.js';
import { Doc, HostOnly, replies } from '../schemas.js';

/** `phyllo vm screenshot`, `vm display`, `vm diagnose`. */
export function vmDisplayRoutes(app: Api, ctx: ServerContext): void {
  app.get(
    '/api/vms/:name/screenshot',
    {
      schema: {
        summary:
          'The display of a running or paused VM as a PNG image (as `phyllo vm screenshot`); its size in X-Image-Width and X-Image-Height',
        tags: ['vms'],
        params: VmParams,
        querystring: HostOnly,
        response: {
          200: {
            description: 'The PNG image',
            content: { 'image/png': { schema: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }) } },
          },
          '4xx': ErrorBody,
          '5xx': ErrorBody,
        },
      },
    },
    async (req, reply) => {
      const { lv } = await ctx.hosts.get(req.query.host);
      const shot = await captureScreen(lv, req.params.name);
      return reply
        .type('image/png')
        .header('cache-control', 'no-store')
        .header('x-image-width', String(shot.width))
        .header('x-image-height', String(shot.height))
        .send(shot.png);
    },
  );
  app.get(
    '/api/vms/:name/display',
    {
      schema: {
        summary: 'The VM’s VNC/SPICE display addresses (as `phyllo vm display --json`)',
        tags: ['vms'],
        params: VmParams,
        querystring: HostOnly,
        response: replies(
          Doc('As `phyllo vm display NAME --json`', {
            name: Type.String(),
            running: Type.Boolean(),
            displays: Type.Array(Doc('A display: type, address, host, port, tlsPort, socket, note')),
          }),
        ),
      },
    },
    async (req) => {
      const { lv } = await ctx.hosts.get(req.query.host);
      return vmDisplay(lv, req.params.name);
    },
  );
  app.get(
    '/api/vms/:name/diagnose',
    {
      schema: {
        summary: 'What is wrong with the VM, in plain words, and what to do (as `phyllo vm diagnose --json`)',
        tags: ['vms'],
        params: VmParams,
        querystring: HostOnly,
        response: replies(
          Doc('As `phyllo vm diagnose NAME --json`', {
            vm: Type.String(),
            host: Type.String(),
            state: Type.String(),
            qemuLog: Doc('The QEMU log: path, tail, note'),
            findings: Type.Array(Doc('A finding: id, severity, summary, detail, fix')),
          }),
        ),
      },
    },
    async (req) => {
      const { lv } = await ctx.hosts.get(req.query.host);
      return diagnoseVm(lv, await findVm(lv, req.params.name));
    },
  );
}
