import { useCallback, useEffect, useRef, useState } from 'react';
import type { DeviceChange } from '../../../api/devices';

/** What each Devices section is given: the VM, its state (the list is read again when it changes), and whom to tell of a change. */
export interface SectionProps {
  host: string;
  name: string;
  stateKey: string;
  onChanged: () => void;
}

/** What a section says after a change: what was done, when it applies, what to mind. */
export interface Done {
  text: string;
  change?: Pick<DeviceChange, 'applies' | 'detail'>;
  warnings?: string[];
  /** A share's mount command for the guest. */
  mount?: string;
}

/**
 * A Devices section's list, read at first and again whenever `key` changes (the VM's state: `live`
 * follows it) and after each change; one change at a time, its error or its outcome kept to show.
 */
export function useDeviceSection<T>(read: () => Promise<T>, key: string) {
  const [data, setData] = useState<T>();
  const [loadError, setLoadError] = useState<unknown>();
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<Done>();
  const reader = useRef(read);
  useEffect(() => {
    reader.current = read;
  });
  const load = useCallback(async () => {
    try {
      setData(await reader.current());
      setLoadError(undefined);
    } catch (err) {
      setLoadError(err);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load, key]);

  /** Runs one change labelled `label` (the busy button's); true when it went through. */
  const act = async (label: string, change: () => Promise<Done>): Promise<boolean> => {
    setBusy(label);
    setError(undefined);
    setDone(undefined);
    try {
      setDone(await change());
      await load();
      return true;
    } catch (err) {
      setError(err);
      return false;
    } finally {
      setBusy(undefined);
    }
  };
  return { data, loadError, busy, error, done, act };
}
