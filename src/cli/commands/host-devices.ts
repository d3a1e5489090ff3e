import type { CommandContext, CommandModule, CommandResult } from '../command.js';
import { probeDeviceMap, type DeviceMap } from '../../host/devices.js';
import { renderDeviceMap } from '../../host/render.js';

export async function run(ctx: CommandContext): Promise<CommandResult<DeviceMap>> {
  const root = typeof ctx.values.root === 'string' ? ctx.values.root : '/';
  const { map, pci } = await probeDeviceMap({ root });
  return { data: map, human: () => renderDeviceMap(map, pci) };
}

const mod: CommandModule = { run };
export default mod;
