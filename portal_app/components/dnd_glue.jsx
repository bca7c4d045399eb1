// Drag-and-drop board on @dnd-kit, used through portal_app/components/dnd.py.
//
// Python renders every item's body (DndItem) and every palette entry (DndSource)
// as children of DndBoard; the board reads them by id and lays them out in the
// columns given by the `columns` prop ([{id, label?, items: [item ids]}]). The
// server stays the source of truth: a drop shows the new order at once
// (optimistic) and fires onMove / onAdd; the next `columns` from the server
// replaces the local order. Reflex keeps the old `columns` object when the server
// sends equal content, so a refused move is noticed by a change of `revision`
// (if the server bumps it) or, failing that, by RESYNC_MS passing with no news.
import React, {
  Children,
  Fragment,
  isValidElement,
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
} from "react";
import {
  closestCenter,
  closestCorners,
  DndContext,
  DragOverlay,
  getFirstCollision,
  KeyboardCode,
  KeyboardSensor,
  MeasuringStrategy,
  PointerSensor,
  pointerWithin,
  rectIntersection,
  useDraggable,
  useDroppable,
  useSensor,
  useSensors,
} from "@dnd-kit/core";
import {
  defaultAnimateLayoutChanges,
  SortableContext,
  sortableKeyboardCoordinates,
  useSortable,
} from "@dnd-kit/sortable";
import { CSS as DndCss } from "@dnd-kit/utilities";

const ITEM = "item:";
const COLUMN = "column:";
const SOURCE = "source:";
const NEW_SLOT = "new-slot";
// How long an optimistic order may wait for the server's answer before the
// board shows the last order the server sent again.
const RESYNC_MS = 3000;

const STYLES = `
.portal-dnd-board { width: 100%; display: grid; grid-template-columns: minmax(11rem, 15rem) minmax(0, 1fr);
  gap: var(--space-5); align-items: start; }
.portal-dnd-board[data-palette="false"] { grid-template-columns: minmax(0, 1fr); }
.portal-dnd-sections { display: flex; flex-direction: column; gap: var(--space-5); min-width: 0; }
.portal-dnd-columns { display: grid; gap: var(--space-4);
  grid-template-columns: repeat(var(--portal-dnd-columns, 1), minmax(0, 1fr)); }
@media (max-width: 48rem) {
  .portal-dnd-board, .portal-dnd-columns { grid-template-columns: minmax(0, 1fr); }
}
.portal-dnd-heading { margin: 0 0 var(--space-2); font-size: var(--font-size-2);
  line-height: var(--line-height-2); font-weight: var(--font-weight-medium); color: var(--gray-11); }
.portal-dnd-column { display: flex; flex-direction: column; min-height: 9rem;
  padding: var(--space-3); border: 1px solid var(--gray-a5); border-radius: var(--radius-4);
  background: var(--gray-2); transition: border-color 120ms, background-color 120ms; }
.portal-dnd-column[data-over="true"] { border-color: var(--accent-8); background: var(--accent-2); }
.portal-dnd-list { position: relative; display: flex; flex-direction: column; gap: var(--space-2); flex: 1;
  min-height: 4rem; margin: 0; padding: 0; list-style: none; }
.portal-dnd-empty { display: flex; align-items: center; justify-content: center; flex: 1;
  min-height: 4rem; padding: var(--space-3); border: 1px dashed var(--gray-a7);
  border-radius: var(--radius-3); color: var(--gray-11); font-size: var(--font-size-2);
  text-align: center; }
.portal-dnd-item { display: flex; gap: var(--space-2); align-items: flex-start;
  padding: var(--space-2) var(--space-3) var(--space-2) var(--space-1);
  border: 1px solid var(--gray-a6); border-radius: var(--radius-3);
  background: var(--color-panel-solid); box-shadow: 0 1px 2px var(--black-a2); }
.portal-dnd-item[data-placeholder="true"] { border: 2px dashed var(--accent-8);
  background: var(--accent-a2); box-shadow: none; }
.portal-dnd-item[data-placeholder="true"] > * { opacity: 0.4; }
.portal-dnd-body { flex: 1; min-width: 0; padding-top: var(--space-1); color: var(--gray-12); }
.portal-dnd-handle { all: unset; box-sizing: border-box; display: inline-flex; flex: none;
  align-items: center; justify-content: center; width: var(--space-6); height: var(--space-6);
  border-radius: var(--radius-2); color: var(--gray-11); cursor: grab; touch-action: none; }
.portal-dnd-handle:hover { background: var(--gray-a3); color: var(--gray-12); }
.portal-dnd-handle:focus-visible { outline: 2px solid var(--focus-8); outline-offset: 1px; }
.portal-dnd-new { display: flex; align-items: center; gap: var(--space-2); min-height: var(--space-7);
  padding: var(--space-2) var(--space-3); border: 2px dashed var(--accent-8);
  border-radius: var(--radius-3); background: var(--accent-a3); color: var(--accent-11);
  font-size: var(--font-size-2); }
.portal-dnd-palette { display: flex; flex-direction: column; gap: var(--space-2); margin: 0;
  padding: 0; list-style: none; }
.portal-dnd-source { all: unset; box-sizing: border-box; display: flex; align-items: center;
  gap: var(--space-2); width: 100%; padding: var(--space-2) var(--space-3);
  border: 1px solid var(--gray-a6); border-radius: var(--radius-3);
  background: var(--color-panel-solid); color: var(--gray-12); font-size: var(--font-size-2);
  cursor: grab; touch-action: none; }
.portal-dnd-source:hover { border-color: var(--accent-8); }
.portal-dnd-source:focus-visible { outline: 2px solid var(--focus-8); outline-offset: 1px; }
.portal-dnd-source[data-dragging="true"] { opacity: 0.5; }
.portal-dnd-overlay { display: flex; align-items: center; gap: var(--space-2);
  width: fit-content; max-width: 100%;
  padding: var(--space-2) var(--space-3); border: 1px solid var(--accent-8);
  border-radius: var(--radius-3); background: var(--color-panel-solid); color: var(--gray-12);
  box-shadow: var(--shadow-4); font-size: var(--font-size-2); cursor: grabbing; }
.portal-dnd-grip { display: inline-flex; color: var(--gray-11); }
`;

function GripIcon() {
  return (
    <svg aria-hidden="true" focusable="false" width="16" height="16" viewBox="0 0 24 24"
      fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
      <circle cx="9" cy="5" r="1" /><circle cx="9" cy="12" r="1" /><circle cx="9" cy="19" r="1" />
      <circle cx="15" cy="5" r="1" /><circle cx="15" cy="12" r="1" /><circle cx="15" cy="19" r="1" />
    </svg>
  );
}

// DndItem / DndSource are markers: the board reads their props and renders them.
// Rendered on their own (outside a board) they just show their children.
export function DndItem({ children }) {
  return <Fragment>{children}</Fragment>;
}

export function DndSource({ children }) {
  return <Fragment>{children}</Fragment>;
}

function collectMarkers(children, found) {
  Children.forEach(children, (child) => {
    if (!isValidElement(child)) return;
    const props = child.props || {};
    if (props.itemId != null) {
      found.items.set(String(props.itemId), {
        label: String(props.label ?? props.itemId),
        body: props.children,
      });
    } else if (props.sourceType != null) {
      found.sources.push({
        type: String(props.sourceType),
        label: String(props.label ?? props.sourceType),
        body: props.children,
      });
    } else if (props.children != null) {
      // Fragments and plain wrappers (rx.fragment, rx.cond) around markers.
      collectMarkers(props.children, found);
    }
  });
  return found;
}

function toLayout(columns) {
  const order = [];
  const items = {};
  const labels = {};
  for (const column of columns || []) {
    const id = String(column.id);
    order.push(id);
    items[id] = (column.items || []).map(String);
    labels[id] = column.label ? String(column.label) : "";
  }
  return { order, items, labels };
}

function columnOf(layout, dndId) {
  if (dndId == null) return null;
  const id = String(dndId);
  if (id.startsWith(COLUMN)) return id.slice(COLUMN.length);
  const key = id === NEW_SLOT ? NEW_SLOT : id.startsWith(ITEM) ? id.slice(ITEM.length) : null;
  if (key == null) return null;
  return layout.order.find((col) => layout.items[col].includes(key)) ?? null;
}

function keyOf(dndId) {
  const id = String(dndId);
  return id.startsWith(ITEM) ? id.slice(ITEM.length) : id;
}

// How many of `keys` (items of column `column`) sit above `y`, by their layout
// position: offsets ignore the transforms of running animations.
function countAbove(root, column, keys, y) {
  if (!root) return keys.length;
  const list = root.querySelector(`[data-column-id="${CSS.escape(column)}"] .portal-dnd-list`);
  if (!list) return 0;
  const top = list.getBoundingClientRect().top - list.scrollTop;
  let count = 0;
  for (const key of keys) {
    const node = list.querySelector(`:scope > [data-item-id="${CSS.escape(key)}"]`);
    if (node && top + node.offsetTop + node.offsetHeight / 2 < y) count += 1;
  }
  return count;
}

// The layout itself moves while dragging (placeActive), so sortable must not
// shift items on top of that; index changes still animate (animateLayoutChanges).
const noTransforms = () => null;
const animateLayoutChanges = (args) => args.isSorting || defaultAnimateLayoutChanges(args);

function SortableEntry({ id, label, children }) {
  const {
    attributes, listeners, setNodeRef, setActivatorNodeRef, transform, transition, isDragging,
  } = useSortable({ id: ITEM + id, animateLayoutChanges });
  return (
    <li ref={setNodeRef} className="portal-dnd-item" data-item-id={id}
      data-placeholder={isDragging ? "true" : "false"}
      style={{ transform: DndCss.Translate.toString(transform), transition }}>
      <button type="button" ref={setActivatorNodeRef} className="portal-dnd-handle"
        {...attributes} {...listeners} aria-label={`Move ${label}`}>
        <GripIcon />
      </button>
      <div className="portal-dnd-body">{children}</div>
    </li>
  );
}

function NewSlot({ label }) {
  const { setNodeRef, transform, transition } = useSortable({
    id: NEW_SLOT,
    disabled: { draggable: true, droppable: false },
  });
  return (
    <li ref={setNodeRef} className="portal-dnd-new" data-item-id={NEW_SLOT}
      style={{ transform: DndCss.Translate.toString(transform), transition }}>
      <GripIcon />
      <span>New {label}</span>
    </li>
  );
}

function Column({ id, label, index, keys, entries, newLabel, emptyText, isOver, Heading }) {
  const { setNodeRef } = useDroppable({ id: COLUMN + id });
  const headingId = `portal-dnd-column-${id}`;
  const name = label || `Column ${index + 1}`;
  return (
    <section ref={setNodeRef} className="portal-dnd-column" data-column-id={id}
      data-over={isOver ? "true" : "false"}
      {...(label ? { "aria-labelledby": headingId } : { "aria-label": name })}>
      {label ? <Heading id={headingId} className="portal-dnd-heading">{label}</Heading> : null}
      <SortableContext id={COLUMN + id} items={keys.map((k) => (k === NEW_SLOT ? k : ITEM + k))}
        strategy={noTransforms}>
        {keys.length === 0 ? (
          <div className="portal-dnd-empty">{emptyText}</div>
        ) : (
          <ul className="portal-dnd-list">
            {keys.map((key) =>
              key === NEW_SLOT ? (
                <NewSlot key={key} label={newLabel} />
              ) : (
                <SortableEntry key={key} id={key} label={entries.get(key)?.label ?? key}>
                  {entries.get(key)?.body ?? null}
                </SortableEntry>
              ),
            )}
          </ul>
        )}
      </SortableContext>
    </section>
  );
}

function PaletteSource({ type, label, children }) {
  const { attributes, listeners, setNodeRef, isDragging } = useDraggable({ id: SOURCE + type });
  return (
    <li>
      <button type="button" ref={setNodeRef} className="portal-dnd-source"
        data-source-type={type} data-dragging={isDragging ? "true" : "false"}
        {...attributes} {...listeners} aria-label={`Add ${label}`}>
        <span className="portal-dnd-grip"><GripIcon /></span>
        <span>{children ?? label}</span>
      </button>
    </li>
  );
}

export function DndBoard({
  columns,
  children,
  onMove,
  onAdd,
  paletteLabel = "Add a widget",
  emptyText = "Drop a widget here",
  headingLevel = 3,
  revision,
  id,
  className,
  style,
  ref,
}) {
  const rootRef = useRef(null);
  const setRoot = useCallback(
    (node) => {
      rootRef.current = node;
      if (typeof ref === "function") ref(node);
      else if (ref) ref.current = node;
    },
    [ref],
  );
  const serverLayout = useMemo(() => toLayout(columns), [columns]);
  const [layout, setLayout] = useState(serverLayout);
  const layoutRef = useRef(layout);
  layoutRef.current = layout;
  const [activeId, setActiveId] = useState(null);
  const dragging = useRef(false);
  const start = useRef(null);
  const lastOverId = useRef(null);
  const movedToNewColumn = useRef(false);
  const resyncTimer = useRef(null);

  const { items: entries, sources } = useMemo(
    () => collectMarkers(children, { items: new Map(), sources: [] }),
    [children],
  );
  const sourceLabels = useMemo(
    () => new Map(sources.map((s) => [s.type, s.label])),
    [sources],
  );

  // The server's columns win whenever they (or `revision`) change, except in the
  // middle of a drag; the drag's end takes them into account.
  const serverChangedInDrag = useRef(false);
  useEffect(() => {
    clearTimeout(resyncTimer.current);
    if (dragging.current) serverChangedInDrag.current = true;
    else setLayout(serverLayout);
  }, [serverLayout, revision]);
  useEffect(() => () => clearTimeout(resyncTimer.current), []);

  useEffect(() => {
    requestAnimationFrame(() => {
      movedToNewColumn.current = false;
    });
  }, [layout]);

  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 5 } }),
    useSensor(KeyboardSensor, { coordinateGetter: keyboardCoordinates }),
  );

  const nameOf = useCallback(
    (dndId) => {
      const id = String(dndId);
      if (id.startsWith(SOURCE)) return `new ${sourceLabels.get(id.slice(SOURCE.length)) ?? ""}`.trim();
      if (id.startsWith(ITEM)) return entries.get(id.slice(ITEM.length))?.label ?? id.slice(ITEM.length);
      return id;
    },
    [entries, sourceLabels],
  );
  const columnName = useCallback((col) => {
    const l = layoutRef.current;
    return l.labels[col] || `column ${l.order.indexOf(col) + 1}`;
  }, []);
  const whereIs = useCallback(
    (dndId) => {
      const l = layoutRef.current;
      const id = String(dndId);
      const key = id.startsWith(SOURCE) ? NEW_SLOT : keyOf(id);
      const col = columnOf(l, id.startsWith(SOURCE) ? NEW_SLOT : id);
      if (col == null) return null;
      const list = l.items[col];
      return `${columnName(col)}, position ${list.indexOf(key) + 1} of ${list.length}`;
    },
    [columnName],
  );

  // Say where the dragged thing is only when that changed.
  const announced = useRef(null);
  const announcements = useMemo(
    () => ({
      onDragStart({ active }) {
        const where = whereIs(active.id);
        announced.current = where;
        return `Picked up ${nameOf(active.id)}.` + (where ? ` It is in ${where}.` : "");
      },
      onDragOver({ active, over }) {
        if (!over) return `${nameOf(active.id)} is no longer over a column.`;
        const where = whereIs(active.id);
        if (!where || where === announced.current) return undefined;
        announced.current = where;
        return `${nameOf(active.id)} is now in ${where}.`;
      },
      onDragEnd({ active, over }) {
        const where = whereIs(active.id);
        if (!over || !where) return `${nameOf(active.id)} was dropped outside the columns; nothing changed.`;
        return `${nameOf(active.id)} was dropped in ${where}.`;
      },
      onDragCancel({ active }) {
        return `Moving ${nameOf(active.id)} was cancelled; it is back where it was.`;
      },
    }),
    [nameOf, whereIs],
  );
  const screenReaderInstructions = {
    draggable:
      "To move an item, press Space or Enter on its move button. Use the arrow keys " +
      "to move it up, down or to another column, then press Space or Enter to drop it, " +
      "or Escape to cancel.",
  };

  const collisionDetection = useCallback(
    (args) => {
      const active = String(args.active.id);
      if (movedToNewColumn.current) {
        lastOverId.current = active.startsWith(SOURCE) ? NEW_SLOT : active;
        return [{ id: lastOverId.current }];
      }
      const withPointer = pointerWithin(args);
      const hits = withPointer.length > 0 ? withPointer : rectIntersection(args);
      let overId = getFirstCollision(hits, "id");
      if (overId != null) {
        const over = String(overId);
        if (over.startsWith(COLUMN)) {
          // Over a column with items: aim at its closest item instead.
          const keys = layoutRef.current.items[over.slice(COLUMN.length)] || [];
          const ids = new Set(keys.map((k) => (k === NEW_SLOT ? k : ITEM + k)));
          if (ids.size > 0) {
            const inside = closestCenter({
              ...args,
              droppableContainers: args.droppableContainers.filter((c) => ids.has(String(c.id))),
            });
            overId = inside[0]?.id ?? overId;
          }
        }
        lastOverId.current = overId;
        return [{ id: overId }];
      }
      return lastOverId.current ? [{ id: lastOverId.current }] : [];
    },
    [],
  );

  const scheduleResync = () => {
    clearTimeout(resyncTimer.current);
    resyncTimer.current = setTimeout(() => setLayout(serverLayoutRef.current), RESYNC_MS);
  };
  const serverLayoutRef = useRef(serverLayout);
  serverLayoutRef.current = serverLayout;

  const handleDragStart = ({ active }) => {
    dragging.current = true;
    serverChangedInDrag.current = false;
    const id = String(active.id);
    const col = columnOf(layoutRef.current, id);
    start.current = {
      layout: layoutRef.current,
      column: col,
      index: col == null ? -1 : layoutRef.current.items[col].indexOf(keyOf(id)),
    };
    setActiveId(id);
  };

  // Where the dragged thing would land, shown live in the layout (the dashed
  // placeholder is the dragged item itself). Pointer drags go by the pointer's
  // height among the other items of the column under it; keyboard drags take
  // the place of the item they were moved onto.
  const placeActive = (active, over, pointerY) => {
    if (!over) return;
    const activeKey = String(active.id).startsWith(SOURCE) ? NEW_SLOT : keyOf(active.id);
    const overId = String(over.id);
    const l = layoutRef.current;
    const to = columnOf(l, overId);
    if (to == null) return;
    const from = columnOf(l, activeKey === NEW_SLOT ? NEW_SLOT : ITEM + activeKey);
    const others = l.items[to].filter((k) => k !== activeKey);
    let index;
    if (pointerY != null) {
      index = countAbove(rootRef.current, to, others, pointerY);
    } else if (overId.startsWith(COLUMN)) {
      index = from === to ? l.items[to].indexOf(activeKey) : others.length;
    } else {
      const overKey = keyOf(overId);
      if (overKey === activeKey) return;
      index = l.items[to].indexOf(overKey);
    }
    if (from === to && l.items[to].indexOf(activeKey) === index) return;
    const items = { ...l.items };
    if (from != null) items[from] = items[from].filter((k) => k !== activeKey);
    items[to] = [...others.slice(0, index), activeKey, ...others.slice(index)];
    if (from !== to) movedToNewColumn.current = true;
    const next = { ...l, items };
    layoutRef.current = next;
    setLayout(next);
  };

  const handleDragMove = ({ active, over, delta, activatorEvent }) => {
    if (activatorEvent == null || !("clientY" in activatorEvent)) return; // keyboard
    placeActive(active, over, activatorEvent.clientY + delta.y);
  };

  const handleDragOver = ({ active, over, activatorEvent }) => {
    if (activatorEvent != null && "clientY" in activatorEvent) return; // pointer: see move
    placeActive(active, over, null);
  };

  const finish = () => {
    dragging.current = false;
    setActiveId(null);
    lastOverId.current = null;
  };
  // Nothing was dropped: show the server's order (newer, if it changed meanwhile).
  const restore = () => {
    setLayout(serverChangedInDrag.current ? serverLayoutRef.current : start.current.layout);
  };

  const handleDragEnd = ({ active, over }) => {
    const id = String(active.id);
    const l = layoutRef.current;
    // dnd-kit reports no `over` when the drop target was placed in this very frame
    // (its rect not measured yet); the collision detection's last answer still
    // tells where the pointer was.
    const landed = over != null || lastOverId.current != null;
    finish();
    if (id.startsWith(SOURCE)) {
      const col = columnOf(l, NEW_SLOT);
      if (col == null || !landed) {
        restore();
        return;
      }
      // The "new" slot stays, as a pending entry, until the server's columns
      // (with the real item) replace it.
      onAdd?.(id.slice(SOURCE.length), col, l.items[col].indexOf(NEW_SLOT));
      scheduleResync();
      return;
    }
    const key = keyOf(id);
    const col = columnOf(l, id);
    if (!landed || col == null) {
      restore();
      return;
    }
    const index = l.items[col].indexOf(key);
    if (col !== start.current.column || index !== start.current.index) {
      onMove?.(key, col, index);
      scheduleResync();
    } else if (serverChangedInDrag.current) {
      setLayout(serverLayoutRef.current);
    }
  };

  const handleDragCancel = () => {
    finish();
    restore();
  };

  const overColumn = activeId
    ? columnOf(layout, activeId.startsWith(SOURCE) ? NEW_SLOT : activeId)
    : null;
  const hasPalette = sources.length > 0;
  const Heading = `h${Math.min(6, Math.max(1, Number(headingLevel) || 3))}`;
  const paletteHeadingId = id ? `${id}-palette` : "portal-dnd-palette";

  return (
    <div ref={setRoot} id={id} className={["portal-dnd-board", className].filter(Boolean).join(" ")}
      style={style} data-palette={hasPalette ? "true" : "false"}>
      <style>{STYLES}</style>
      <DndContext
        sensors={sensors}
        collisionDetection={collisionDetection}
        measuring={{ droppable: { strategy: MeasuringStrategy.Always } }}
        accessibility={{ announcements, screenReaderInstructions }}
        onDragStart={handleDragStart}
        onDragMove={handleDragMove}
        onDragOver={handleDragOver}
        onDragEnd={handleDragEnd}
        onDragCancel={handleDragCancel}>
        {hasPalette ? (
          <aside aria-labelledby={paletteHeadingId}>
            <Heading id={paletteHeadingId} className="portal-dnd-heading">{paletteLabel}</Heading>
            <ul className="portal-dnd-palette">
              {sources.map((s) => (
                <PaletteSource key={s.type} type={s.type} label={s.label}>{s.body}</PaletteSource>
              ))}
            </ul>
          </aside>
        ) : null}
        <div className="portal-dnd-sections">
          {sectionsOf(layout.order).map((group) => (
            <div key={group.section} className="portal-dnd-columns" data-section={group.section}
              style={{ "--portal-dnd-columns": group.columns.length || 1 }}>
              {group.columns.map((col) => (
                <Column key={col} id={col} index={layout.order.indexOf(col)} label={layout.labels[col]}
                  keys={layout.items[col]} entries={entries} emptyText={emptyText} Heading={Heading}
                  newLabel={activeId?.startsWith(SOURCE) ? sourceLabels.get(activeId.slice(SOURCE.length)) ?? "" : "item"}
                  isOver={activeId != null && overColumn === col} />
              ))}
            </div>
          ))}
        </div>
        <DragOverlay dropAnimation={null}>
          {activeId ? (
            <div className="portal-dnd-overlay">
              <span className="portal-dnd-grip"><GripIcon /></span>
              <span>{nameOf(activeId)}</span>
            </div>
          ) : null}
        </DragOverlay>
      </DndContext>
    </div>
  );
}

// Column ids "<section>:<n>" group into rows (a page's sections); ids without ":"
// form one row.
function sectionsOf(order) {
  const groups = [];
  for (const col of order) {
    const cut = col.lastIndexOf(":");
    const section = cut > 0 ? col.slice(0, cut) : "";
    const last = groups[groups.length - 1];
    if (last && last.section === section) last.columns.push(col);
    else groups.push({ section, columns: [col] });
  }
  return groups;
}

const DIRECTIONS = [KeyboardCode.Down, KeyboardCode.Up, KeyboardCode.Left, KeyboardCode.Right];

// sortableKeyboardCoordinates needs the dragged thing to be sortable; a palette
// entry is not, so it gets the same "jump to the nearest target in that
// direction" rule here.
function keyboardCoordinates(event, args) {
  const { active, collisionRect, droppableRects, droppableContainers } = args.context;
  if (!active || !String(active.id).startsWith(SOURCE)) {
    return sortableKeyboardCoordinates(event, args);
  }
  if (!DIRECTIONS.includes(event.code) || !collisionRect) return undefined;
  event.preventDefault();
  const candidates = droppableContainers.getEnabled().filter((entry) => {
    const rect = droppableRects.get(entry.id);
    if (!rect || entry.id === NEW_SLOT) return false;
    switch (event.code) {
      case KeyboardCode.Down: return collisionRect.top < rect.top;
      case KeyboardCode.Up: return collisionRect.top > rect.top;
      case KeyboardCode.Left: return collisionRect.left > rect.left;
      default: return collisionRect.left < rect.left;
    }
  });
  const hits = closestCorners({
    active, collisionRect, droppableRects, droppableContainers: candidates, pointerCoordinates: null,
  });
  const targetId = getFirstCollision(hits, "id");
  const rect = targetId != null ? droppableRects.get(targetId) : null;
  return rect ? { x: rect.left, y: rect.top } : undefined;
}
