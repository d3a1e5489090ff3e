import { Type } from 'typebox';
import type { Api, ServerContext } from '../context.js';
import { addUsbRule, listUsbRules, removeUsbRule } from '../../devices/usb-rule-store.js';
import { VmParams } from '../query.js';
import { Doc, HostOnly, replies, Strict } from '../schemas.js';
import type { UsbRuleRunner } from '../usb-rule-runner.js';

const RULE = { minLength: 1, maxLength: 140, description: 'VID:PID[:SERIAL], as lsusb shows it' };
const RuleParams = Strict({ ...VmParams.properties, rule: Type.String(RULE) });

const RuleList = Doc('As `phyllo usb rule list --json`', {
  vms: Type.Array(Doc('A VM and its rules: vm, rules (id, vendorId, productId, serial)')),
});
const RuleListWithLog = Doc('As `phyllo usb rule list --json`, and what the server’s rules did lately', {
  vms: Type.Array(Doc('A VM and its rules: vm, rules (id, vendorId, productId, serial)')),
  log: Type.Array(
    Doc(
      'As a line of `phyllo usb watch --json`: at, action (attached, detached, skipped, failed), vm, device, rule, reason',
    ),
  ),
});
const RuleChange = Doc('As `phyllo usb rule add|remove --json`', {
  vm: Type.String(),
  rule: Type.String(),
  rules: Type.Array(Type.String()),
  running: Type.Boolean(),
});

/**
 * `phyllo usb rule add|list|remove`: USB devices that follow a VM. The rules live in the VM's
 * metadata; `phyllo serve` runs them (src/devices/usb-rules.ts) for every host it is connected to.
 */
export function usbRuleRoutes(app: Api, ctx: ServerContext, runner: UsbRuleRunner): void {
  app.get(
    '/api/usb-rules',
    {
      schema: {
        summary:
          'Every VM’s USB rules (as `phyllo usb rule list --json`) and the last 50 things the server’s rules did on the host (`log`, as `phyllo usb watch --json`)',
        tags: ['devices'],
        querystring: HostOnly,
        response: replies(RuleListWithLog),
      },
    },
    async (req) => {
      const { id, lv } = await ctx.hosts.get(req.query.host);
      return { vms: await listUsbRules(lv), log: runner.recent(id) };
    },
  );
  app.get(
    '/api/vms/:name/usb-rules',
    {
      schema: {
        summary: 'The VM’s USB rules (as `phyllo usb rule list --vm NAME --json`)',
        tags: ['devices'],
        params: VmParams,
        querystring: HostOnly,
        response: replies(RuleList),
      },
    },
    async (req) => {
      const { lv } = await ctx.hosts.get(req.query.host);
      return { vms: await listUsbRules(lv, req.params.name) };
    },
  );
  app.post(
    '/api/vms/:name/usb-rules',
    {
      schema: {
        summary:
          'Give the VM every USB device matching the rule while it runs (201, as `phyllo usb rule add RULE --vm NAME --json`)',
        tags: ['devices'],
        params: VmParams,
        querystring: HostOnly,
        body: Strict({ rule: Type.String(RULE) }),
        response: replies(RuleChange, 201),
      },
    },
    async (req, reply) => {
      const { lv } = await ctx.hosts.get(req.query.host);
      const out = await addUsbRule(lv, req.params.name, req.body.rule);
      return reply
        .status(201)
        .header(
          'location',
          `/api/vms/${encodeURIComponent(out.vm)}/usb-rules/${encodeURIComponent(out.rule)}`,
        )
        .send(out);
    },
  );
  app.delete(
    '/api/vms/:name/usb-rules/:rule',
    {
      schema: {
        summary: 'Remove a USB rule (as `phyllo usb rule remove RULE --vm NAME --json`)',
        tags: ['devices'],
        params: RuleParams,
        querystring: HostOnly,
        response: replies(RuleChange),
      },
    },
    async (req) => {
      const { lv } = await ctx.hosts.get(req.query.host);
      return removeUsbRule(lv, req.params.name, req.params.rule);
    },
  );
}
