import { useEffect, useRef, type KeyboardEvent, type ReactNode } from 'react';
import { tabAfterKey, TABS, type TabId } from '../../vmpage/actions';

/**
 * The VM page's tabs (WAI-ARIA tabs pattern): one tab stop, arrows and Home/End move and select
 * (automatic activation), the panel labelled by its tab. Only the shown panel is rendered, so a
 * console or chart loads its code when its tab is chosen.
 */
export function Tabs({
  current,
  onChange,
  children,
  badge,
}: {
  current: TabId;
  onChange: (t: TabId) => void;
  children: ReactNode;
  badge?: Partial<Record<TabId, string>>;
}) {
  const list = useRef<HTMLDivElement>(null);
  // On a phone the tab list scrolls sideways: the chosen tab (a #hash link's) is kept in sight.
  useEffect(() => {
    list.current
      ?.querySelector<HTMLElement>(`#tab-${current}`)
      ?.scrollIntoView?.({ block: 'nearest', inline: 'nearest' });
  }, [current]);
  const onKey = (e: KeyboardEvent) => {
    const next = tabAfterKey(current, e.key);
    if (!next) return;
    e.preventDefault();
    onChange(next);
    list.current?.querySelector<HTMLElement>(`#tab-${next}`)?.focus();
  };
  return (
    <>
      <div className="vm-tabs" role="tablist" aria-label="VM sections" ref={list} onKeyDown={onKey}>
        {TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={t.id === current}
            aria-controls={`panel-${t.id}`}
            tabIndex={t.id === current ? 0 : -1}
            className={t.id === 'delete' ? 'tab-danger' : undefined}
            onClick={() => onChange(t.id)}
          >
            {t.label}
            {badge?.[t.id] ? <span className="tab-badge"> {badge[t.id]}</span> : null}
          </button>
        ))}
      </div>
      <div
        className="vm-panel"
        role="tabpanel"
        id={`panel-${current}`}
        aria-labelledby={`tab-${current}`}
        tabIndex={0}
      >
        {children}
      </div>
    </>
  );
}
