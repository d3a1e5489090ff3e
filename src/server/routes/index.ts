import type { Api } from '../context.js';
import type { BuildOptions } from '../app.js';
import { authRoutes } from './auth.js';
import { hostRoutes } from './hosts.js';
import { jobRoutes } from './jobs.js';
import { vmPowerRoutes } from './vm-power.js';
import { hostOverheadRoutes } from './host-overhead.js';

/** Every route of the API. */
export async function routes(app: Api, opts: BuildOptions): Promise<void> {
  authRoutes(app, opts.auth);
  hostRoutes(app, opts);
  jobRoutes(app, opts);
  vmPowerRoutes(app, opts);
  hostOverheadRoutes(app, opts);
}
