import type { Api } from '../context.js';
import type { BuildOptions } from '../app.js';
import { authRoutes } from './auth.js';
import { hostRoutes } from './hosts.js';
import { jobRoutes } from './jobs.js';
import { vmPowerRoutes } from './vm-power.js';
import { hostOverheadRoutes } from './host-overhead.js';
import { hostInfoRoutes } from './host.js';
import { osRoutes } from './os.js';
import { vmCreateRoutes } from './vm-create.js';
import { vmConfigRoutes } from './vm-config.js';
import { vmDisplayRoutes } from './vm-display.js';
import { vmSnapshotRoutes } from './vm-snapshots.js';
import { vmCloneRoutes } from './vm-clone.js';
import { vmExportRoutes } from './vm-export.js';
import { vmImportRoutes } from './vm-import.js';
import { vmImportOvaRoutes } from './vm-import-ova.js';
import { vmMoveRoutes } from './vm-move.js';
import { vmDeviceRoutes } from './vm-devices.js';
import { vmNicRoutes } from './vm-nics.js';
import { vmShareRoutes } from './vm-shares.js';
import { usbRuleRoutes } from './usb-rules.js';
import { consoleFileRoutes } from './console-file.js';
import { vncProxyRoutes } from '../ws/vnc-proxy.js';
import { serialProxyRoutes } from '../ws/serial-proxy.js';
import { eventsRoute } from '../ws/events.js';
import { DomainEventFeed } from '../ws/domain-event-feed.js';
import { namesChangedBy, VmListCache } from '../vm-list-cache.js';
import { UsbRuleRunner } from '../usb-rule-runner.js';

/** Every route of the API. */
export async function routes(app: Api, opts: BuildOptions): Promise<void> {
  // One domain event feed per server: /api/events forwards it, the VM list keeps itself current by it.
  const feed = new DomainEventFeed();
  const vmList = new VmListCache(opts.hosts, feed, opts.jobs, opts.vmList);
  // A change made through the API is in the list before its reply goes out (its event may come later).
  app.addHook('onSend', async (req, _reply, payload) => {
    const host = (req.query as { host?: string } | undefined)?.host;
    for (const name of namesChangedBy(req)) vmList.touched(host, name);
    return payload;
  });
  // The VMs' USB rules run as long as the server does (as `phyllo usb watch`), on every host.
  const usbRules = new UsbRuleRunner(opts.hosts, app.log);
  app.addHook('onClose', async () => {
    vmList.close();
    feed.close();
    await usbRules.close();
  });
  authRoutes(app, opts.auth);
  hostRoutes(app, opts);
  jobRoutes(app, opts);
  vmPowerRoutes(app, opts, vmList);
  hostOverheadRoutes(app, opts);
  hostInfoRoutes(app, opts);
  osRoutes(app, opts);
  vmCreateRoutes(app, opts);
  vmConfigRoutes(app, opts);
  vmDisplayRoutes(app, opts);
  vmSnapshotRoutes(app, opts);
  vmCloneRoutes(app, opts);
  vmExportRoutes(app, opts);
  await vmImportRoutes(app, opts);
  await vmImportOvaRoutes(app, opts);
  vmMoveRoutes(app, opts);
  vmDeviceRoutes(app, opts);
  vmNicRoutes(app, opts);
  vmShareRoutes(app, opts);
  usbRuleRoutes(app, opts, usbRules);
  vncProxyRoutes(app, opts);
  serialProxyRoutes(app, opts);
  consoleFileRoutes(app, opts);
  eventsRoute(app, opts, { feed, hold: () => vmList.hold() });
}
