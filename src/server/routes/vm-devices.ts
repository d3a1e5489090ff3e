import { Type } from 'typebox';
import type { Api, ServerContext } from '../context.js';
import { addHostDevice, removeHostDeviceById, type HostDeviceAddRequest } from '../../devices/host-device.js';
import { listHostDevices } from '../../devices/pci-device.js';
import { VmParams } from '../query.js';
import { Doc, Flag, HostOnly, replies, Strict } from '../schemas.js';

const DeviceParams = Strict({
  ...VmParams.properties,
  device: Type.String({
    minLength: 1,
    maxLength: 64,
    description: 'A PCI address (0000:0b:00.0), a USB id (VID:PID or BUS.DEVICE) or a mediated device’s UUID',
  }),
});

/** What a change answers: `applies` is `now` (the running guest has it) or `next-start`. */
export const DeviceChangeDoc = (description: string) =>
  Doc(description, {
    vm: Type.String(),
    running: Type.Boolean(),
    applies: Type.String({ enum: ['now', 'next-start'] }),
    detail: Type.String(),
  });

/** `phyllo vm device add|list|remove`: PCI and USB passthrough and mediated devices (docs/devices.md). */
export function vmDeviceRoutes(app: Api, ctx: ServerContext): void {
  // The host facts (IOMMU groups, GPUs' mdev types) are read below the server's root, as `--root`.
  const root = ctx.hostRoot === undefined ? {} : { root: ctx.hostRoot };
  app.get(
    '/api/vms/:name/devices',
    {
      schema: {
        summary:
          'The host devices the VM has, and what each is on the host (as `phyllo vm device list NAME --json`)',
        tags: ['devices'],
        params: VmParams,
        querystring: HostOnly,
        response: replies(
          Doc('As `phyllo vm device list NAME --json`', {
            vm: Type.String(),
            running: Type.Boolean(),
            devices: Type.Array(Doc('A PCI function: address, managed, hostName, hostDriver, live')),
            usb: Type.Array(Doc('A USB device: id, vendorId, productId, hostName, hostAddress, live')),
            mdev: Type.Array(Doc('A mediated device: uuid, model, live')),
          }),
        ),
      },
    },
    async (req) => {
      const { lv } = await ctx.hosts.get(req.query.host);
      return listHostDevices(lv, req.params.name, root.root);
    },
  );
  app.post(
    '/api/vms/:name/devices',
    {
      schema: {
        summary:
          'Give the VM a host device: one of `pci` (with `withGroup` for a shared IOMMU group), `usb`, or `gpu` + `mdev` (as `phyllo vm device add --json`)',
        tags: ['devices'],
        params: VmParams,
        querystring: HostOnly,
        body: Strict({
          pci: Type.Optional(
            Type.String({ minLength: 1, maxLength: 64, description: 'A PCI address, as `--pci`' }),
          ),
          withGroup: Flag('Every endpoint of the device’s IOMMU group, as `--with-group`'),
          usb: Type.Optional(
            Type.String({ minLength: 1, maxLength: 64, description: 'VID:PID or BUS.DEVICE, as `--usb`' }),
          ),
          gpu: Type.Optional(
            Type.String({ minLength: 1, maxLength: 64, description: 'The GPU to slice, as `--gpu`' }),
          ),
          mdev: Type.Optional(
            Type.String({
              minLength: 1,
              maxLength: 128,
              description: 'The mediated device type, as `--mdev`',
            }),
          ),
        }),
        response: replies(
          DeviceChangeDoc(
            'As `phyllo vm device add --json`: `kind` (`pci`, `usb`, `mdev`) and what was added; PCI has `warnings` that must be shown',
          ),
        ),
      },
    },
    async (req) => {
      const { lv } = await ctx.hosts.get(req.query.host);
      const request: HostDeviceAddRequest = { ...req.body, ...root };
      return addHostDevice(lv, req.params.name, request);
    },
  );
  app.delete(
    '/api/vms/:name/devices/:device',
    {
      schema: {
        summary: 'Take a host device from the VM (as `phyllo vm device remove NAME DEVICE --json`)',
        tags: ['devices'],
        params: DeviceParams,
        querystring: HostOnly,
        response: replies(DeviceChangeDoc('As `phyllo vm device remove --json`: `kind` and `removed`')),
      },
    },
    async (req) => {
      const { lv } = await ctx.hosts.get(req.query.host);
      return removeHostDeviceById(lv, req.params.name, req.params.device);
    },
  );
}
