import { useCallback, useEffect, useRef, useState } from 'react';

/**
 * Which registered elements are on screen (or near it): one IntersectionObserver for the whole list.
 * `observe(el, key)` registers a row (null: it left); `visible` holds the keys on screen.
 */
export function useVisible(rootMargin = '200px'): {
  observe: (el: Element | null, key: string) => void;
  visible: ReadonlySet<string>;
} {
  const [visible, setVisible] = useState<ReadonlySet<string>>(() => new Set());
  const io = useRef<IntersectionObserver | undefined>(undefined);
  const keys = useRef(new Map<Element, string>());
  const byKey = useRef(new Map<string, Element>());
  const pending = useRef<Map<string, boolean>>(new Map());
  const frame = useRef<number | undefined>(undefined);

  const flush = useCallback(() => {
    frame.current = undefined;
    const changes = pending.current;
    pending.current = new Map();
    setVisible((old) => {
      let next: Set<string> | undefined;
      for (const [k, on] of changes) {
        if (on === old.has(k)) continue;
        next ??= new Set(old);
        if (on) next.add(k);
        else next.delete(k);
      }
      return next ?? old;
    });
  }, []);
  const mark = useCallback(
    (k: string, on: boolean) => {
      pending.current.set(k, on);
      frame.current ??= requestAnimationFrame(flush);
    },
    [flush],
  );

  useEffect(() => {
    const obs = new IntersectionObserver(
      (entries) => {
        for (const e of entries) {
          const k = keys.current.get(e.target);
          if (k !== undefined) mark(k, e.isIntersecting);
        }
      },
      { rootMargin },
    );
    io.current = obs;
    for (const el of keys.current.keys()) obs.observe(el);
    return () => {
      obs.disconnect();
      io.current = undefined;
      if (frame.current !== undefined) cancelAnimationFrame(frame.current);
      frame.current = undefined;
    };
  }, [rootMargin, mark]);

  const observe = useCallback(
    (el: Element | null, key: string) => {
      const old = byKey.current.get(key);
      if (old && old !== el) {
        io.current?.unobserve(old);
        keys.current.delete(old);
        byKey.current.delete(key);
        mark(key, false);
      }
      if (el && old !== el) {
        keys.current.set(el, key);
        byKey.current.set(key, el);
        io.current?.observe(el);
      }
    },
    [mark],
  );
  return { observe, visible };
}
