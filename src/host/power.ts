/**
 * Is the machine on battery power? Where the platform tells through files (Linux: /sys/class/power_supply);
 * elsewhere, or when they cannot be read, undefined (background training then does not wait for mains power).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { onBatteryFrom, type PowerSupply } from '../shared/idle';

export async function linuxOnBattery(dir = '/sys/class/power_supply'): Promise<boolean | undefined> {
  try {
    const names = await fs.readdir(dir);
    const read = (n: string, f: string) => fs.readFile(path.join(dir, n, f), 'utf8').then((t) => t, () => undefined);
    const supplies: PowerSupply[] = [];
    for (const n of names) {
      const type = await read(n, 'type');
      if (type === undefined) continue;
      supplies.push({ type, online: await read(n, 'online'), status: await read(n, 'status') });
    }
    return onBatteryFrom(supplies);
  } catch {
    return undefined;
  }
}
