import { valueOr } from './fact.js';
import type { RootFs } from './root-fs.js';

export type Chassis = 'desktop' | 'laptop' | 'mini-pc' | 'server' | 'other';

export interface DmiFacts {
  sysVendor: string | null;
  productName: string | null;
  productVersion: string | null;
  boardVendor: string | null;
  boardName: string | null;
  biosVendor: string | null;
  biosVersion: string | null;
  biosDate: string | null;
  chassisType: number | null;
  chassis: Chassis | null;
}

/** SMBIOS chassis types (System Enclosure, type 3). */
const CHASSIS: Record<number, Chassis> = {
  3: 'desktop',
  4: 'desktop',
  6: 'desktop',
  7: 'desktop',
  8: 'laptop',
  9: 'laptop',
  10: 'laptop',
  14: 'laptop',
  31: 'laptop',
  32: 'laptop',
  35: 'mini-pc',
  36: 'mini-pc',
  17: 'server',
  23: 'server',
};

export function probeDmi(fs: RootFs): DmiFacts {
  const f = (n: string) => valueOr(fs.attr(`sys/class/dmi/id/${n}`), null);
  const chassisType = valueOr(fs.int('sys/class/dmi/id/chassis_type'), null);
  return {
    sysVendor: f('sys_vendor'),
    productName: f('product_name'),
    productVersion: f('product_version'),
    boardVendor: f('board_vendor'),
    boardName: f('board_name'),
    biosVendor: f('bios_vendor'),
    biosVersion: f('bios_version'),
    biosDate: f('bios_date'),
    chassisType,
    chassis: chassisType === null ? null : (CHASSIS[chassisType] ?? 'other'),
  };
}
