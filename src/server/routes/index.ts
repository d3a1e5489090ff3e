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
import { consoleFileRoutes } from './console-file.js';
import { vncProxyRoutes } from '../ws/vnc-proxy.js';
import { serialProxyRoutes } from '../ws/serial-proxy.js';
import { eventsRoute } from '../ws/events.js';

/** Every route of the API. */
export async function routes(app: Api, opts: BuildOptions): Promise<void> {
  authRoutes(app, opts.auth);
  hostRoutes(app, opts);
  jobRoutes(app, opts);
  vmPowerRoutes(app, opts);
  hostOverheadRoutes(app, opts);
  hostInfoRoutes(app, opts);
  osRoutes(app, opts);
  vmCreateRoutes(app, opts);
  vmConfigRoutes(app, opts);
  vmDisplayRoutes(app, opts);
  vmSnapshotRoutes(app, opts);
  vmCloneRoutes(app, opts);
  vncProxyRoutes(app, opts);
  serialProxyRoutes(app, opts);
  consoleFileRoutes(app, opts);
  eventsRoute(app, opts);
}
