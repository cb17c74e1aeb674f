import { type KeyboardEvent, useRef } from "react";

import type { Tab } from "./location";

export interface TabSpec {
  id: Tab;
  label: string;
}

interface TabsProps {
  tabs: TabSpec[];
  selected: Tab;
  onSelect: (id: Tab) => void;
}

const MOVES: Record<string, (index: number, count: number) => number> = {
  ArrowRight: (index) => index + 1,
  ArrowLeft: (index) => index - 1,
  Home: () => 0,
  End: (_, count) => count - 1,
};

/** The "Workflow | Trace" tabs (WAI-ARIA tabs pattern, automatic activation). */
export function Tabs({ tabs, selected, onSelect }: TabsProps) {
  const buttons = useRef<Partial<Record<Tab, HTMLButtonElement | null>>>({});
  const onKeyDown = (event: KeyboardEvent<HTMLButtonElement>, index: number) => {
    const move = MOVES[event.key];
    if (!move) return;
    event.preventDefault();
    const tab = tabs[(move(index, tabs.length) + tabs.length) % tabs.length];
    if (!tab) return;
    onSelect(tab.id);
    buttons.current[tab.id]?.focus();
  };
  return (
    <div role="tablist" aria-label="Execution views" id="tabs">
      {tabs.map((tab, index) => (
        <button
          key={tab.id}
          ref={(el) => {
            buttons.current[tab.id] = el;
          }}
          type="button"
          role="tab"
          id={`tab-${tab.id}`}
          aria-controls={`panel-${tab.id}`}
          aria-selected={tab.id === selected ? "true" : "false"}
          tabIndex={tab.id === selected ? 0 : -1}
          onClick={() => onSelect(tab.id)}
          onKeyDown={(event) => onKeyDown(event, index)}
        >
          {tab.label}
        </button>
      ))}
    </div>
  );
}
