// Rich text editor on Tiptap, used through portal_app/components/rich_text.py.
//
// `content` is the HTML the server holds. It is applied when it changes, except
// while the person is typing here: then it waits until the editor loses focus,
// so a server echo never moves the caret. Changes go out as `onChange(html)`
// (debounced, flushed on blur and unmount) and `onBlur(html)`. The server
// sanitizes whatever arrives; this file only produces HTML.
import React, { useCallback, useEffect, useRef, useState } from "react";
import { EditorContent, useEditor, useEditorState } from "@tiptap/react";
import StarterKit from "@tiptap/starter-kit";
import Link from "@tiptap/extension-link";
import Image from "@tiptap/extension-image";
import { Table, TableCell, TableHeader, TableRow } from "@tiptap/extension-table";
import { Placeholder } from "@tiptap/extensions";
import {
  Bold, Heading2, Heading3, Italic, Link as LinkIcon, List, ListOrdered, Redo2, Table as TableIcon,
  Undo2,
} from "lucide-react";

const STYLES = `
.portal-rte { width: 100%; border: 1px solid var(--gray-a7); border-radius: var(--radius-3);
  background: var(--color-surface); overflow: hidden; }
.portal-rte:focus-within { border-color: var(--accent-8); box-shadow: 0 0 0 1px var(--accent-8); }
.portal-rte[data-editable="false"] { background: var(--gray-a2); }
.portal-rte-toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: var(--space-1);
  padding: var(--space-1) var(--space-2); border-bottom: 1px solid var(--gray-a5);
  background: var(--gray-2); }
.portal-rte-sep { width: 1px; align-self: stretch; margin: var(--space-1) var(--space-1);
  background: var(--gray-a6); }
.portal-rte-button { all: unset; box-sizing: border-box; display: inline-flex; align-items: center;
  justify-content: center; width: var(--space-6); height: var(--space-6);
  border-radius: var(--radius-2); color: var(--gray-11); cursor: pointer; }
.portal-rte-button:hover { background: var(--gray-a4); color: var(--gray-12); }
.portal-rte-button[aria-pressed="true"] { background: var(--accent-a4); color: var(--accent-11); }
.portal-rte-button:disabled { color: var(--gray-a8); cursor: default; background: none; }
.portal-rte-button:focus-visible { outline: 2px solid var(--focus-8); outline-offset: 1px; }
.portal-rte-content .ProseMirror { min-height: var(--portal-rte-min-height, 10rem);
  padding: var(--space-3) var(--space-4); outline: none; color: var(--gray-12);
  font-size: var(--font-size-3); line-height: var(--line-height-3); }
.portal-rte-content .ProseMirror > * + * { margin-top: var(--space-3); }
.portal-rte-content .ProseMirror h2 { font-size: var(--font-size-6); line-height: var(--line-height-6);
  font-weight: var(--font-weight-bold); }
.portal-rte-content .ProseMirror h3 { font-size: var(--font-size-5); line-height: var(--line-height-5);
  font-weight: var(--font-weight-bold); }
.portal-rte-content .ProseMirror ul, .portal-rte-content .ProseMirror ol { padding-left: var(--space-5); }
.portal-rte-content .ProseMirror ul { list-style: disc; }
.portal-rte-content .ProseMirror ol { list-style: decimal; }
.portal-rte-content .ProseMirror li > p { margin: 0; }
.portal-rte-content .ProseMirror a { color: var(--accent-11); text-decoration: underline; }
.portal-rte-content .ProseMirror img { max-width: 100%; height: auto; }
.portal-rte-content .ProseMirror table { border-collapse: collapse; width: 100%; table-layout: fixed; }
.portal-rte-content .ProseMirror th, .portal-rte-content .ProseMirror td {
  border: 1px solid var(--gray-a7); padding: var(--space-1) var(--space-2); vertical-align: top;
  position: relative; }
.portal-rte-content .ProseMirror th { background: var(--gray-a3); font-weight: var(--font-weight-medium);
  text-align: left; }
.portal-rte-content .ProseMirror .selectedCell::after { content: ""; position: absolute; inset: 0;
  background: var(--accent-a4); pointer-events: none; }
.portal-rte-content .ProseMirror p.is-editor-empty:first-child::before { content: attr(data-placeholder);
  color: var(--gray-10); float: left; height: 0; pointer-events: none; }
`;

function normaliseUrl(raw) {
  const url = raw.trim();
  if (!url) return "";
  if (/^(https?:|mailto:|tel:)/i.test(url)) return url;
  if (/^[a-z][a-z0-9+.-]*:/i.test(url)) return null; // javascript:, data:, ...
  if (url.includes("@") && !url.includes("/")) return `mailto:${url}`;
  return `https://${url}`;
}

function Toolbar({ editor, label }) {
  const state = useEditorState({
    editor,
    selector: ({ editor: e }) => ({
      h2: e.isActive("heading", { level: 2 }),
      h3: e.isActive("heading", { level: 3 }),
      bold: e.isActive("bold"),
      italic: e.isActive("italic"),
      bulletList: e.isActive("bulletList"),
      orderedList: e.isActive("orderedList"),
      link: e.isActive("link"),
      table: e.isActive("table"),
      canUndo: e.can().undo(),
      canRedo: e.can().redo(),
      editable: e.isEditable,
    }),
  });
  const [focusIndex, setFocusIndex] = useState(0);
  const toolbarRef = useRef(null);

  const setLink = useCallback(() => {
    const previous = editor.getAttributes("link").href ?? "";
    const answer = window.prompt("Link address (leave empty to remove the link)", previous);
    if (answer === null) return;
    const href = normaliseUrl(answer);
    const chain = editor.chain().focus().extendMarkRange("link");
    if (href === "") chain.unsetLink().run();
    else if (href) chain.setLink({ href }).run();
  }, [editor]);

  const buttons = [
    { key: "h2", label: "Heading 2", Icon: Heading2, pressed: state.h2,
      run: () => editor.chain().focus().toggleHeading({ level: 2 }).run() },
    { key: "h3", label: "Heading 3", Icon: Heading3, pressed: state.h3,
      run: () => editor.chain().focus().toggleHeading({ level: 3 }).run() },
    { key: "sep1" },
    { key: "bold", label: "Bold", Icon: Bold, pressed: state.bold,
      run: () => editor.chain().focus().toggleBold().run() },
    { key: "italic", label: "Italic", Icon: Italic, pressed: state.italic,
      run: () => editor.chain().focus().toggleItalic().run() },
    { key: "link", label: "Link", Icon: LinkIcon, pressed: state.link, run: setLink },
    { key: "sep2" },
    { key: "bullet", label: "Bulleted list", Icon: List, pressed: state.bulletList,
      run: () => editor.chain().focus().toggleBulletList().run() },
    { key: "ordered", label: "Numbered list", Icon: ListOrdered, pressed: state.orderedList,
      run: () => editor.chain().focus().toggleOrderedList().run() },
    { key: "table", label: "Insert table", Icon: TableIcon, disabled: state.table,
      run: () => editor.chain().focus().insertTable({ rows: 3, cols: 3, withHeaderRow: true }).run() },
    { key: "sep3" },
    { key: "undo", label: "Undo", Icon: Undo2, disabled: !state.canUndo,
      run: () => editor.chain().focus().undo().run() },
    { key: "redo", label: "Redo", Icon: Redo2, disabled: !state.canRedo,
      run: () => editor.chain().focus().redo().run() },
  ];
  const actions = buttons.filter((b) => b.run);

  // One tab stop for the whole toolbar; arrow keys move between its buttons.
  const onKeyDown = (event) => {
    const moves = { ArrowRight: 1, ArrowLeft: -1, Home: -Infinity, End: Infinity };
    if (!(event.key in moves)) return;
    event.preventDefault();
    const step = moves[event.key];
    let next = focusIndex + step;
    if (step === -Infinity) next = 0;
    else if (step === Infinity) next = actions.length - 1;
    else next = (next + actions.length) % actions.length;
    setFocusIndex(next);
    toolbarRef.current?.querySelectorAll("button")[next]?.focus();
  };

  if (!state.editable) return null;
  let actionIndex = -1;
  return (
    <div role="toolbar" aria-label={`${label} formatting`} className="portal-rte-toolbar"
      ref={toolbarRef} onKeyDown={onKeyDown}>
      {buttons.map((b) => {
        if (!b.run) return <span key={b.key} className="portal-rte-sep" aria-hidden="true" />;
        actionIndex += 1;
        const index = actionIndex;
        return (
          <button key={b.key} type="button" className="portal-rte-button" title={b.label}
            aria-label={b.label} aria-pressed={b.pressed === undefined ? undefined : b.pressed}
            disabled={b.disabled} tabIndex={index === focusIndex ? 0 : -1}
            onFocus={() => setFocusIndex(index)}
            // Keep the editor's selection: a mousedown on the button would blur it.
            onMouseDown={(e) => e.preventDefault()}
            onClick={b.run}>
            <b.Icon size={16} aria-hidden="true" />
          </button>
        );
      })}
    </div>
  );
}

export function RichTextEditor({
  content = "",
  editable = true,
  label = "Text",
  debounceMs = 400,
  minHeight,
  placeholder = "",
  onChange,
  onBlur,
  id,
  className,
  style,
  ref,
}) {
  const lastSent = useRef(content);
  const placeholderRef = useRef(placeholder);
  placeholderRef.current = placeholder;
  const pending = useRef(null);
  const timer = useRef(null);
  const waitingContent = useRef(null);
  const handlers = useRef({ onChange, onBlur });
  handlers.current = { onChange, onBlur };

  const flush = useCallback(() => {
    clearTimeout(timer.current);
    timer.current = null;
    if (pending.current === null) return false;
    const html = pending.current;
    pending.current = null;
    if (html === lastSent.current) return false;
    lastSent.current = html;
    handlers.current.onChange?.(html);
    return true;
  }, []);

  const editor = useEditor({
    immediatelyRender: false,
    shouldRerenderOnTransaction: false,
    editable,
    content,
    extensions: [
      StarterKit.configure({ heading: { levels: [2, 3] }, link: false }),
      Link.configure({
        openOnClick: false,
        autolink: true,
        defaultProtocol: "https",
        HTMLAttributes: { rel: "noopener noreferrer nofollow", target: null },
      }),
      Image,
      Table.configure({ resizable: false }),
      TableRow,
      TableHeader,
      TableCell,
      Placeholder.configure({ placeholder: () => placeholderRef.current }),
    ],
    editorProps: {
      attributes: {
        role: "textbox",
        "aria-multiline": "true",
        "aria-label": label,
      },
    },
    onUpdate: ({ editor: e }) => {
      pending.current = e.isEmpty ? "" : e.getHTML();
      clearTimeout(timer.current);
      timer.current = setTimeout(flush, debounceMs);
    },
    onBlur: ({ editor: e }) => {
      // What was just sent is newer than anything the server said before it.
      if (flush()) waitingContent.current = null;
      handlers.current.onBlur?.(e.isEmpty ? "" : e.getHTML());
      if (waitingContent.current !== null) {
        const next = waitingContent.current;
        waitingContent.current = null;
        applyContent(e, next);
      }
    },
  });

  function applyContent(e, html) {
    const current = e.isEmpty ? "" : e.getHTML();
    if (html === current) return;
    e.commands.setContent(html || "", { emitUpdate: false });
    lastSent.current = html;
  }

  // A new `content` from the server: apply it now, or after the person stops editing.
  useEffect(() => {
    if (!editor || editor.isDestroyed) return;
    if (content === lastSent.current && waitingContent.current === null) return;
    if (editor.isFocused || pending.current !== null) waitingContent.current = content ?? "";
    else applyContent(editor, content ?? "");
  }, [editor, content]);

  useEffect(() => {
    if (editor && !editor.isDestroyed && editor.isEditable !== Boolean(editable)) {
      editor.setEditable(Boolean(editable), false);
    }
  }, [editor, editable]);

  useEffect(() => () => {
    flush();
  }, [flush]);

  return (
    <div ref={ref} id={id} className={["portal-rte", className].filter(Boolean).join(" ")}
      data-editable={editable ? "true" : "false"}
      style={{ ...(style || {}), ...(minHeight ? { "--portal-rte-min-height": minHeight } : {}) }}>
      <style>{STYLES}</style>
      {editor ? <Toolbar editor={editor} label={label} /> : null}
      <EditorContent editor={editor} className="portal-rte-content" />
    </div>
  );
}
