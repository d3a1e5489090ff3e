import { useSyncExternalStore } from 'react';
import { reduce } from './reducer';
import { initialState, type Action, type State } from './state';

/** A tiny store: one state, one reducer, subscribers told after each change. */
export class Store {
  private state: State;
  private readonly listeners = new Set<() => void>();
  constructor(state: State = initialState) {
    this.state = state;
  }
  get = (): State => this.state;
  dispatch = (a: Action): void => {
    const next = reduce(this.state, a);
    if (next === this.state) return;
    this.state = next;
    for (const l of this.listeners) l();
  };
  subscribe = (l: () => void): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };
}

export const store = new Store();

/** The part of the state a component reads; it re-renders when that part changes (by identity). */
export function useStore<T>(select: (s: State) => T): T {
  return useSyncExternalStore(store.subscribe, () => select(store.get()));
}
