// The HTML5 tree-construction rules (WHATWG HTML §13.2.6) for the elements the sanitizer keeps, applied while it writes.
// Every implied end tag, implied table section and foster-parented run the parser would produce is written out, so
// the output is a fixed point of HTML5 fragment parsing: read in a <div> (or as innerHTML), it builds exactly the tree
// written, and nothing in it can close an element of the page around it.

/** Start tags that close an open p (in button scope) first. */
const CLOSES_P = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'center',
  'details',
  'div',
  'dl',
  'figcaption',
  'figure',
  'footer',
  'header',
  'ol',
  'p',
  'section',
  'summary',
  'ul',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'pre',
  'li',
  'dd',
  'dt',
  'hr',
  'table',
]);
const HEADINGS = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6']);
/** The "special" elements that can be open (voids never are): where li/dd/dt stop looking for one to close. */
const SPECIAL = new Set([...CLOSES_P, 'caption', 'colgroup', 'tbody', 'td', 'tfoot', 'th', 'thead', 'tr']);
/** Table parts: in a table they build its structure; elsewhere in a body the parser ignores them. */
const TABLE_PARTS = new Set(['caption', 'colgroup', 'col', 'tbody', 'thead', 'tfoot', 'tr', 'td', 'th', 'table']);
const SECTIONS = new Set(['tbody', 'thead', 'tfoot']);
/** Where text and other elements are foster-parented: before the table, not inside it. */
const TABLE_CONTEXT = new Set(['table', 'tbody', 'thead', 'tfoot', 'tr']);
/** Scope boundaries among what can be open (the context element is the last one). */
const SCOPE = new Set(['table', 'td', 'th', 'caption']);
/** What rt/rp close (implied end tags but rtc). */
const RUBY_IMPLIED = new Set(['dd', 'dt', 'li', 'p', 'rp', 'rt']);
const WHITESPACE_ONLY = /^[ \t\n\f\r]*$/;
/** Start tags that may close open elements first. */
const IMPLIES_CLOSE = new Set([...CLOSES_P, 'li', 'dd', 'dt', 'a', 'rt', 'rp']);
/** Where li/dd/dt stop looking for one to close: the special elements but address, div and p. */
const ITEM_STOPS = new Set([...SPECIAL].filter((n) => n !== 'address' && n !== 'div' && n !== 'p'));

/** The innermost open element of one name (its stack index, -1 for none), and which boundaries the name is. */
interface OpenName {
  last: number;
  stop: boolean;
  scope: boolean;
}

/** One open table: where its start tag is in the output, and what the parser would move before it. */
interface TableFrame {
  at: number;
  outAt: number;
  foster: string;
  /** Stack index of the first foster-parented element still open, or -1. */
  fosterFrom: number;
}

/** Whether stack index `i` is one of the table's own parts, which a walk in its foster-parented content passes over. */
function isTablePartOf(frame: TableFrame | undefined, i: number): boolean {
  return frame !== undefined && i >= frame.at && (frame.fosterFrom === -1 || i < frame.fosterFrom);
}

/**
 * A writer of well-nested HTML that applies the parser's rules for a kept element before writing it.
 * `start`/`text` answer false when the length cap stops them; after that the caller writes nothing more.
 * Follows https://html.spec.whatwg.org/multipage/parsing.html#tree-construction: the "in body" insertion mode
 * (https://html.spec.whatwg.org/multipage/parsing.html#parsing-main-inbody) and foster parenting
 * (https://html.spec.whatwg.org/multipage/parsing.html#foster-parent).
 */
export class HtmlTreeWriter {
  private out = '';
  private readonly stack: string[] = [];
  // The parser's walks down the open elements, as lookups: per name its innermost open element; beside each stack
  // entry its name's record (a pop needs no lookup) and the next open element of its name below it; the stack indexes
  // of the open SCOPE and ITEM_STOPS elements. So stray end tags and start tags cost against a deep stack what they
  // cost against a shallow one (a walk per tag made 50,000 </span> under 5,000 <div> quadratic).
  private readonly openAt = new Map<string, OpenName>();
  private readonly stackNames: OpenName[] = [];
  private readonly sameBelow: number[] = [];
  private readonly scopeAt: number[] = [];
  private readonly stopAt: number[] = [];
  private readonly tables: TableFrame[] = [];
  private closersLength = 0;
  private pending = 0; // foster-parented text waiting to be put before its table
  private preFresh = false; // a <pre> was just written: the parser drops a newline that follows it

  constructor(private readonly max: number) {}

  /** Output units still free, with every open element's end tag already counted. */
  room(): number {
    return this.max - this.out.length - this.pending - this.closersLength;
  }

  /** Escaped text, foster-parented inside a table as the parser would; false if it does not fit (the caller cuts it to room() first). */
  text(escaped: string): boolean {
    if (this.preFresh) {
      escaped = escaped.replace(/^\n+/, '');
      if (escaped === '') return true;
    }
    if (escaped.length > this.room()) return false;
    if (this.tables.length === 0) {
      this.out += escaped;
      this.preFresh = false;
      return true;
    }
    const frame = this.tables[this.tables.length - 1];
    // In a table, only whitespace stays where it is: other text goes before the table, as the parser moves it.
    const blank = WHITESPACE_ONLY.test(escaped);
    if (!blank && this.stack.at(-1) === 'colgroup') this.closeTo(this.stack.length - 1);
    const top = this.stack.at(-1)!;
    this.write(escaped, frame.fosterFrom !== -1 || (!blank && TABLE_CONTEXT.has(top)));
    return true;
  }

  /** A kept start tag (`tag` is its whole text) after the end tags "in body" implies; void elements and iframes are never left open. */
  start(name: string, tag: string, isVoid: boolean): boolean {
    if (TABLE_PARTS.has(name)) return this.tablePart(name, tag);
    if (this.tables.length === 0) {
      // Outside tables (nearly always): only the implied end tags.
      const closeAt = this.impliedClose(name, undefined);
      if (tag.length + (isVoid ? 0 : name.length + 3) > this.room()) return false;
      if (closeAt !== -1) this.closeTo(closeAt);
      this.out += tag;
      this.preFresh = name === 'pre';
      if (!isVoid) this.push(name);
      return true;
    }
    const frame = this.tables[this.tables.length - 1];
    let top = this.stack.at(-1);
    if (top === 'colgroup') {
      this.closeTo(this.stack.length - 1);
      top = this.stack.at(-1);
    }
    const fostered = frame.fosterFrom !== -1 || (top !== undefined && TABLE_CONTEXT.has(top));
    // Foster-parented content is read, in the output, in the table's parent: rules that would close an element
    // outside the foster-parented run (past the table) cannot be honoured, and the tag is dropped instead.
    const floor = fostered ? frame.at : -1;
    const closeAt = this.impliedClose(name, fostered ? frame : undefined);
    if (closeAt !== -1 && closeAt <= floor) return true;
    const cost = tag.length + (isVoid ? 0 : name.length + 3);
    if (cost > this.room()) return false;
    if (closeAt !== -1) this.closeTo(closeAt);
    if (fostered && frame.fosterFrom === -1 && !isVoid) frame.fosterFrom = this.stack.length;
    this.write(tag, fostered);
    if (!isVoid) this.push(name);
    if (name === 'pre') this.preFresh = true;
    return true;
  }

  /** An end tag: closes the element and what is open inside it, if it is open within the current cell or table ("in body" rules). */
  end(name: string): void {
    const top = this.stack.length - 1;
    // The common case: it closes the current node.
    if (top >= 0 && this.stack[top] === name) {
      this.closeTo(top);
      return;
    }
    const at = this.openAt.get(name)?.last ?? -1;
    if (at === -1) return;
    // A cell, caption or table open inside it (for a table part, a table) makes the end tag a stray one.
    const bound = TABLE_PARTS.has(name) ? (this.openAt.get('table')?.last ?? -1) : (this.scopeAt.at(-1) ?? -1);
    if (at >= bound) this.closeTo(at);
  }

  /** The output, every open element closed. */
  finish(): string {
    this.closeTo(0);
    return this.out;
  }

  /**
   * Stack index the parser would close down to (inclusive) before inserting `name`, or -1 for none. With `frame`
   * (foster-parented content) the walk skips the table's own parts and goes on in the table's parent.
   */
  private impliedClose(name: string, frame: TableFrame | undefined): number {
    if (!IMPLIES_CLOSE.has(name)) return -1;
    const stack = this.stack;
    if (stack.length === 0) return -1;
    let closeAt = -1;
    // The walk from the current node down, over what the output's parser will have open.
    const skipFrom = frame ? frame.fosterFrom : -2;
    const skipTo = frame ? frame.at - 1 : -2;
    const below = (i: number) => (i === skipFrom ? skipTo : i - 1);
    const topIndex = frame && frame.fosterFrom === -1 ? frame.at - 1 : stack.length - 1;
    // Each walk finds the innermost element it looks for, unless a boundary is met first (nearer the current node).
    if (name === 'li' || name === 'dd' || name === 'dt') {
      const item =
        name === 'li'
          ? this.innermostNamed('li', topIndex, frame)
          : Math.max(this.innermostNamed('dd', topIndex, frame), this.innermostNamed('dt', topIndex, frame));
      if (item !== -1 && item >= this.innermost(this.stopAt, topIndex, frame)) closeAt = item; // an item is a stop itself
    } else if (name === 'a' || name === 'rt' || name === 'rp') {
      // A link in a link (up to the last cell or caption) is closed first; rt/rp close what ruby implies.
      const i = this.innermostNamed(name === 'a' ? 'a' : 'ruby', topIndex, frame);
      if (i !== -1 && i > this.innermost(this.scopeAt, topIndex, frame)) {
        if (name === 'a') closeAt = i;
        else for (let j = topIndex; j > i && RUBY_IMPLIED.has(stack[j]); j = below(j)) closeAt = j;
      }
    }
    if (CLOSES_P.has(name)) {
      const from = closeAt === -1 ? topIndex : below(closeAt);
      const p = this.innermostNamed('p', from, frame);
      if (p !== -1 && p > this.innermost(this.scopeAt, from, frame)) closeAt = p;
      const current = closeAt === -1 ? topIndex : below(closeAt);
      if (HEADINGS.has(name) && current >= 0 && HEADINGS.has(stack[current])) closeAt = current;
    }
    return closeAt;
  }

  /**
   * The innermost of `indexes` at or below `max` that impliedClose's walk visits (with `frame`, not the table's own
   * parts), or -1. What it passes over is above `max` or one of those parts: a few entries, never the stack's depth.
   */
  private innermost(indexes: readonly number[], max: number, frame: TableFrame | undefined): number {
    for (let k = indexes.length - 1; k >= 0; k--) {
      const i = indexes[k];
      if (i <= max && !isTablePartOf(frame, i)) return i;
    }
    return -1;
  }

  /** innermost, for the open elements named `name`. */
  private innermostNamed(name: string, max: number, frame: TableFrame | undefined): number {
    let i = this.openAt.get(name)?.last ?? -1;
    while (i !== -1 && (i > max || isTablePartOf(frame, i))) i = this.sameBelow[i];
    return i;
  }

  /** Table parts, in the insertion mode the open elements put the parser in. */
  private tablePart(name: string, tag: string): boolean {
    for (;;) {
      const frame = this.tables.at(-1);
      if (frame && frame.fosterFrom !== -1) this.closeTo(frame.fosterFrom);
      const top = this.stack.at(-1);
      if (!frame) {
        return name === 'table' ? this.openTable(tag) : true; // a stray table part is ignored, as in a body
      }
      if (top === 'table') {
        if (name === 'table') this.closeTo(frame.at);
        else if (name === 'caption' || name === 'colgroup' || SECTIONS.has(name)) return this.open(name, tag);
        else if (name === 'col') {
          if (!this.open('colgroup', '<colgroup>')) return false;
        } else if (!this.open('tbody', '<tbody>')) return false;
      } else if (top !== undefined && SECTIONS.has(top)) {
        if (name === 'tr') return this.open(name, tag);
        if (name === 'td' || name === 'th') {
          if (!this.open('tr', '<tr>')) return false;
        } else this.closeTo(this.stack.length - 1);
      } else if (top === 'tr') {
        if (name === 'td' || name === 'th') return this.open(name, tag);
        this.closeTo(this.stack.length - 1);
      } else if (top === 'colgroup') {
        if (name === 'col') return this.open(name, tag, true);
        this.closeTo(this.stack.length - 1);
      } else {
        // In a cell or caption (or deeper in one): a table opens inside it; other parts close it first.
        const cell = this.scopeAt.at(-1)!;
        if (name === 'table') return this.openTable(tag);
        this.closeTo(cell);
      }
    }
  }

  private openTable(tag: string): boolean {
    const closeAt = this.impliedClose('table', undefined);
    if (tag.length + 8 > this.room()) return false;
    if (closeAt !== -1) this.closeTo(closeAt);
    this.tables.push({ at: this.stack.length, outAt: this.out.length, foster: '', fosterFrom: -1 });
    this.out += tag;
    this.push('table');
    return true;
  }

  private open(name: string, tag: string, isVoid = false): boolean {
    if (tag.length + (isVoid ? 0 : name.length + 3) > this.room()) return false;
    this.out += tag;
    if (!isVoid) this.push(name);
    this.preFresh = false;
    return true;
  }

  private push(name: string): void {
    const at = this.stack.length;
    this.stack.push(name);
    this.closersLength += name.length + 3;
    let open = this.openAt.get(name);
    if (!open) this.openAt.set(name, (open = { last: -1, stop: ITEM_STOPS.has(name), scope: SCOPE.has(name) }));
    this.sameBelow.push(open.last);
    open.last = at;
    this.stackNames.push(open);
    if (open.stop) this.stopAt.push(at);
    if (open.scope) this.scopeAt.push(at);
  }

  /** Takes the current node off the stack (its end tag is the caller's to write). */
  private pop(): string {
    const name = this.stack.pop()!;
    this.closersLength -= name.length + 3;
    const open = this.stackNames.pop()!;
    open.last = this.sameBelow.pop()!;
    if (open.stop) this.stopAt.pop();
    if (open.scope) this.scopeAt.pop();
    return name;
  }

  private write(html: string, fostered: boolean): void {
    this.preFresh = false;
    if (!fostered) {
      this.out += html;
      return;
    }
    this.tables[this.tables.length - 1].foster += html;
    this.pending += html.length;
  }

  /** Closes every open element from the top down to stack index `at`, inclusive, each with its end tag. */
  private closeTo(at: number): void {
    const stack = this.stack;
    if (this.tables.length === 0) {
      // Outside tables (nearly always) nothing is waiting to be moved: end tags go straight out.
      while (stack.length > at) this.out += `</${this.pop()}>`;
      this.preFresh = false;
      return;
    }
    while (stack.length > at) {
      const index = stack.length - 1;
      const name = this.pop();
      const frame = this.tables.at(-1);
      if (frame && frame.fosterFrom !== -1 && index >= frame.fosterFrom) {
        this.write(`</${name}>`, true);
        if (index === frame.fosterFrom) frame.fosterFrom = -1;
        continue;
      }
      this.write(`</${name}>`, false);
      if (frame && index === frame.at) {
        // The table is closed: what the parser would have moved before it goes there now.
        this.tables.pop();
        // Only when something moved: closing thousands of nested tables must not copy the output each time.
        if (frame.foster !== '') {
          this.out = this.out.slice(0, frame.outAt) + frame.foster + this.out.slice(frame.outAt);
          this.pending -= frame.foster.length;
        }
      }
    }
  }
}
